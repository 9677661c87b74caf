# Pages de Portico pour les fournisseurs, français : connexion, mot de passe, vos demandes et la
# page d'un dossier. Chaque clé existe dans chaque langue.

signin-title = Connexion à Portico
signin-with = Se connecter avec { $provider }
signin-sso-hint = Le personnel de l'entreprise se connecte ici. Les fournisseurs, les sous-traitants et l'administrateur utilisent un nom d'utilisateur et un mot de passe :
signin-username = Nom d'utilisateur
signin-password = Mot de passe
signin-submit = Se connecter
signin-new-here = Première visite ? Utilisez le lien de votre e-mail d'invitation pour définir un mot de passe.
signin-forgot = Mot de passe oublié ? Recevoir un nouveau lien
signin-wrong = Le nom d'utilisateur ou le mot de passe est incorrect, ou le compte n'est pas actif.
signed-out-title = Déconnecté(e)
signed-out-text = Vous êtes déconnecté(e) de Portico. Vous êtes peut-être encore connecté(e) à { $provider }.
signed-out-provider = Se déconnecter aussi de { $provider }
signin-again = Se reconnecter

setpw-title = Définir votre mot de passe
setpw-intro = Choisissez le mot de passe de votre compte Portico. Le lien ne fonctionne qu'une seule fois.
setpw-repeat = Confirmez le mot de passe
setpw-submit = Définir le mot de passe
setpw-differ = Les deux mots de passe sont différents.
setpw-done-title = Votre mot de passe est défini
setpw-done-text = Vous pouvez maintenant vous connecter avec votre nom d'utilisateur et ce mot de passe.
newlink-title = Recevoir un nouveau lien
newlink-intro = Nous enverrons un lien pour définir un nouveau mot de passe à l'adresse e-mail de votre compte.
newlink-username = Votre nom d'utilisateur ou votre e-mail
newlink-submit = M'envoyer un nouveau lien
link-gone-title = Ce lien ne fonctionne plus
link-gone-intro = Le lien a déjà été utilisé ou a expiré. Demandez-en un nouveau :
newlink-sent-title = Consultez vos e-mails
newlink-sent-text = Si un compte actif correspond à ce nom d'utilisateur ou à cet e-mail, un nouveau lien est en route. Il ne fonctionne qu'une seule fois et expire.
newlink-too-many = Trop de liens ont été demandés.
newlink-give = Indiquez votre nom d'utilisateur ou votre e-mail.

home-title = Vos demandes
home-news = Nouveautés
home-mark-read = Tout marquer comme lu
home-your-tasks = Vos tâches ouvertes
home-no-task = Aucune tâche ne vous attend.

record-closed = Ce dossier est clos : vous pouvez encore le consulter, mais plus y répondre, le commenter ni y ajouter de fichiers.
field-type = Type
field-state = État
field-supplier = Fournisseur
field-access-ends = Accès jusqu'au
tasks-title = Tâches
tasks-none = Aucune tâche.
task-response = Réponse :
task-your-response = Votre réponse
task-sign-send = Signer et envoyer la réponse
task-send = Envoyer la réponse
signatures-title = Signatures
signature-earlier = (a signé une version antérieure de ce dossier)
checklists-title = Listes de contrôle
checklists-none = Aucune liste de contrôle.
checklist-completed = terminée
checklist-save = Enregistrer les réponses
checklist-complete = Terminer
comments-title = Commentaires
comment-add = Ajouter un commentaire
comment-submit = Commenter
files-title = Fichiers et photos
files-none = Aucun fichier pour l'instant.
files-add = Ajouter un fichier ou prendre une photo (PDF, image, texte ou CSV ; { $mb } Mo au maximum)
files-upload = Téléverser
files-too-large = Ce fichier dépasse { $mb } Mo. Pour une photo, reprenez-la avec une résolution plus faible (ou envoyez une copie plus petite), puis téléversez-la.
