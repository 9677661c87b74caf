# Pourquoi une action a été refusée, telle que la page l'explique au lecteur.

refusal-record-closed = { $record } est clôturé : vous pouvez encore le consulter, mais plus le commenter, y ajouter des fichiers ni y répondre.
refusal-external-cannot-change = Les collaborateurs externes ne peuvent pas modifier les dossiers ni exécuter leurs actions.
refusal-task-not-open = Cette tâche n'est plus ouverte : elle a déjà reçu une réponse ou a été retirée.
refusal-action-not-now = Cette action n'est pas possible dans l'état actuel du dossier.
refusal-no-seat = Aucune licence n'est disponible : les { $seats } licences sont toutes utilisées.
refusal-no-seat-now = Aucune licence n'est disponible : une autre demande a pris la dernière.
refusal-response-required = Veuillez rédiger une réponse avant de l'envoyer.
refusal-response-too-long = La réponse ne peut pas dépasser { $max } caractères.
refusal-checklist-completed = La liste de contrôle « { $name } » est terminée et ne peut plus être modifiée.
refusal-checklist-unanswered = { $missing ->
    [one] La liste de contrôle « { $name } » ne peut pas encore être terminée : une question est sans réponse.
   *[other] La liste de contrôle « { $name } » ne peut pas encore être terminée : { $missing } questions sont sans réponse.
}
refusal-checklist-too-many-answers = La liste de contrôle « { $name } » comporte { $questions } questions, mais { $answers } réponses ont été données.
refusal-file-type = Ce type de fichier n'est pas accepté. Types acceptés : { $accepted }.
refusal-file-not-valid = Le fichier n'est pas un fichier { $type } valide.
refusal-file-name = Le nom du fichier ne peut pas dépasser { $max } caractères.
refusal-file-empty = Le fichier est vide.
refusal-file-too-large = Le fichier dépasse { $megabytes } Mo.
refusal-file-choose = Veuillez choisir un fichier à téléverser.
refusal-subject-required = Veuillez saisir un objet.
refusal-subject-too-long = L'objet ne peut pas dépasser { $max } caractères.
refusal-text-required = Veuillez rédiger un texte avant de l'envoyer.
refusal-text-too-long = Le texte ne peut pas dépasser { $max } caractères.
refusal-changed-meanwhile = { $record } a été modifié entre-temps et demande maintenant une autre signature. Rien n'a été modifié ; veuillez réessayer.
refusal-signature-password = Le mot de passe est incorrect : rien n'a été signé ni modifié.
refusal-password-too-short = Le mot de passe doit comporter au moins { $min } caractères.
refusal-password-too-long = Le mot de passe ne peut pas dépasser { $max } caractères.
refusal-password-is-username = Le mot de passe ne doit pas être votre nom d'utilisateur ni votre adresse e-mail.
refusal-password-weak = Ce mot de passe est trop facile à deviner. Utilisez quelques mots peu courants, ou un mélange plus long de lettres, de chiffres et de signes.
refusal-current-password = Le mot de passe actuel est incorrect.
refusal-password-unchanged = Le nouveau mot de passe doit être différent de l'actuel.
refusal-username-required = Veuillez saisir votre nom d'utilisateur ou votre adresse e-mail.
refusal-link-gone = Ce lien a déjà été utilisé ou a expiré. Demandez une nouvelle invitation à votre contact.
refusal-too-many-attempts = { $minutes ->
    [one] Trop de tentatives. Veuillez réessayer dans une minute.
   *[other] Trop de tentatives. Veuillez réessayer dans { $minutes } minutes.
}
