# Pages internes de Portico, en français : ce que lisent le personnel et les administrateurs
# (dossiers et actions, organisations, utilisateurs, licences, revues d'accès, boîte d'envoi,
# configuration et éditeur de modèles, signature via l'authentification de l'entreprise).
# Chaque clé existe dans chaque langue. Les mots configurés (types, états, actions) restent
# tels qu'ils sont configurés.

add = Ajouter
edit = Modifier
yes = oui
no = non
unknown = (inconnu)
not-done = Non effectué
back-to-record = Retour au dossier
day-format = %d/%m/%Y

col-name = Nom
col-email = E-mail
col-status = Statut
col-organization = Organisation
col-has-user = A un utilisateur
col-change = Modifier
col-username = Nom d'utilisateur
col-license = Licence
col-managed = Géré automatiquement
col-sponsors = Parrains
col-sponsor = Parrain
col-last-seen = Dernière connexion
col-collaborator = Collaborateur
col-asked-by = Demandé par
col-waiting-since = En attente depuis
col-to = Destinataire
col-queued = Mis en file
col-attempts = Tentatives
col-last-error = Dernière erreur
col-review = Revue
col-opened = Ouverte
col-due = Échéance
col-decided = Décidés
col-without-decision = Sans décision

status-pending = En attente
status-sent = Envoyé
status-failed = Échec
status-active__v = Active
status-inactive__v = Inactive
user-active = actif
user-inactive = inactif
license-external = externe
license-full = complète

dashboard-to-review = { $count ->
    [one] { $count } utilisateur externe attend votre revue d'accès
   *[other] { $count } utilisateurs externes attendent votre revue d'accès
}

records-list-title = Liste des { $kind }
records-new = Nouveau dossier { $kind }
records-create = Créer le dossier { $kind }
records-name = Nom
records-supplier = Fournisseur
records-collaborator = Collaborateur externe
records-choose-later = (choisir plus tard)
records-collaborator-hint = Seul un contact du fournisseur choisi peut en être le collaborateur.
records-access-end = Fin de l'accès après le (facultatif)
record-people = Fournisseur et collaborateurs
record-waiting = En attente d'une place externe libre
record-waiting-since = en attente depuis
record-asked-by = demandé par { $who }
record-history = Historique

actions-title = Actions
actions-hint = Chaque action indique ce qu'elle va faire avant que vous ne la confirmiez.
preview-hand-to = Confier le travail à
preview-reason = Pourquoi ? Le fournisseur le lira dans sa nouvelle tâche.
preview-button = Aperçu
preview-what = Ce qui va se passer
preview-confirm = Confirmer
preview-sign-confirm = Signer et confirmer
plan-state = État : { $from } → { $to }
plan-users-created = { $count ->
    [one] { $count } utilisateur créé
   *[other] { $count } utilisateurs créés
}
plan-users-activated = { $count ->
    [one] { $count } utilisateur activé
   *[other] { $count } utilisateurs activés
}, { $seats ->
    [one] { $seats } place occupée
   *[other] { $seats } places occupées
}
plan-users-inactivated = { $count ->
    [one] { $count } utilisateur désactivé
   *[other] { $count } utilisateurs désactivés
}, { $seats ->
    [one] { $seats } place libérée
   *[other] { $seats } places libérées
}
plan-grants = { $count ->
    [one] { $count } accès accordé
   *[other] { $count } accès accordés
}
plan-removals = { $count ->
    [one] { $count } accès retiré
   *[other] { $count } accès retirés
}
plan-tasks-assigned = { $count ->
    [one] { $count } tâche attribuée
   *[other] { $count } tâches attribuées
}
plan-tasks-cancelled = { $count ->
    [one] { $count } tâche annulée
   *[other] { $count } tâches annulées
}
plan-waiting = { $count ->
    [one] { $count } collaborateur attendra une place externe libre
   *[other] { $count } collaborateurs attendront une place externe libre
} : aucune n'est libre pour l'instant ; la première place libérée ira à la personne qui attend depuis le plus longtemps, et vous en serez informé.
plan-waits-ended = { $count ->
    [one] { $count } collaborateur n'attend plus de place
   *[other] { $count } collaborateurs n'attendent plus de place
}
plan-email = { $email } à { $to }

template-name = E-mail « { $kind } » ({ $kind_of_record })
template-kind-welcome = Bienvenue
template-kind-welcome_back = Bon retour
template-kind-goodbye = Au revoir
template-kind-task = Tâche
template-kind-access_ending = Fin d'accès

orgs-add = Ajouter une organisation
org-contacts = Liste des contacts
org-no-contacts = Aucun contact pour l'instant.
org-add-contact = Ajouter un contact
person-first-name = Prénom
person-last-name = Nom
person-language = Langue des e-mails et des pages
person-read-as-english = (lu comme de l'anglais)
person-timezone = Fuseau horaire (par ex. Europe/Paris ; vide : celui de l'entreprise)

lic-seats = { $active } places externes utilisées sur { $seats } ; { $available } libres.
lic-chart-title = Places utilisées, 30 derniers jours
lic-chart-summary = Places utilisées du { $from } au { $to } : au plus { $most } sur { $seats }
lic-chart-caption = Trait plein : le maximum de places utilisées chaque jour. Pointillés : places du contingent.
lic-no-history = Pas encore d'historique.
lic-active-access = Accès externes actifs
lic-inactive-mark = (inactif)
lic-re-sponsor-title = Accès à confier à un nouveau parrain
lic-re-sponsor-hint = Leur parrain a été désactivé : un administrateur attribue un autre parrain à chacun, ou met fin à l'accès.
lic-new-sponsor = Nouveau parrain
lic-re-sponsor = Changer de parrain
lic-stale-title = Pas connectés récemment
lic-stale-hint = Utilisateurs externes qui ne se sont pas connectés depuis un moment ; envisagez de mettre fin à leur accès.
lic-signed-in = connecté
lic-never-signed-in = jamais connecté ; invitation :
lic-waiting-title = En attente d'une place externe
lic-waiting-hint = La prochaine place libérée revient aussitôt au premier collaborateur ci-dessous ; la personne qui l'a demandée en est informée.
lic-by-org = Par organisation
lic-active-users = Utilisateurs externes actifs
lic-no-org = (aucune organisation)
sponsor-line = { $user } sur { $record } : parrainé par { $sponsor }
sponsor-to-re-sponsor = inactif : nouveau parrain à désigner

outbox-retry = Renvoyer

review-title = Revue d'accès
review-waiting-title = En attente de votre décision
review-none-waiting = Aucun utilisateur externe n'attend votre décision.
review-you-sponsor = Vous parrainez l'accès de ces utilisateurs externes. Pour chacun, maintenez ou retirez l'accès et indiquez pourquoi.
review-no-org = Aucune organisation
review-all-orgs = Toutes les organisations
review-org-gone = Une organisation qui n'est plus connue
review-decide-by = à décider avant le { $day }
review-without-decision = sans décision : { $then }
review-default-ends = l'accès prend fin
review-default-stays = l'accès est maintenu
review-removed = Retiré
review-kept = Maintenu
review-access-of = Accès de { $user }
review-keep = Maintenir l'accès
review-remove = Retirer l'accès
review-reason = Motif
review-decide-for = Décider pour { $user }
review-no-sponsor = personne (un administrateur décide)
review-none = Aucune revue pour l'instant.
review-by = par { $who }
review-closed-mark = (clôturée)
review-decided-of = { $decided } sur { $items }
review-open-title = Ouvrir une revue
review-users-of = Utilisateurs externes de
review-days = Jours jusqu'à l'échéance
review-default = Sans décision d'ici là
review-option-stays = L'accès est maintenu
review-option-ends = L'accès prend fin
review-open = Ouvrir la revue
review-opened = ouverte
review-due = échéance le { $day }
review-decided-count = { $decided } sur { $items } décidés
review-closed = clôturée
review-download = Télécharger le résultat (CSV)
review-external-users = Utilisateurs externes
review-nobody = Personne à examiner ici.
review-sponsored-by = parrainé par { $sponsors }
review-by-default = par défaut de la revue
review-not-decided = Pas encore décidé.

config-constraint = Contrainte du champ Collaborateur externe :
config-on-entry = À l'entrée
config-moves = Transitions
config-entry-activate = Créer et activer le collaborateur externe
config-entry-inactivate = Désactiver le collaborateur externe
config-templates = Modèles :
config-changed = (modifié)
tpl-language = Langue du texte
tpl-subject = Objet
tpl-text = Texte
tpl-html = HTML (laisser vide pour le générer à partir du texte)
tpl-html-part = Partie HTML
tpl-reset = Revenir au texte d'origine

sign-provider-done = Vous vous êtes reconnecté via l'authentification de votre entreprise pour signer.
sign-provider-how = Vous signez en vous reconnectant via l'authentification de votre entreprise.
sign-provider-go = Se reconnecter pour signer
sso-say-what = Indiquez ce qu'il faut signer : une tâche, ou un dossier et une action.
sso-signed-again = Reconnecté
sso-signed-again-text = Vous vous êtes reconnecté auprès de { $provider }. Terminez votre signature dans les { $minutes } minutes.
sso-continue = Continuer pour signer
sso-not-signed = Non signé
sso-nothing-signed = Rien n'a été signé : { $why }.
sso-no-access = Pas d'accès à Portico
sso-no-access-text = Vous vous êtes connecté auprès de { $provider }, mais : { $why }.
sso-back-to-sign-in = Retour à la connexion
sso-title-not-completed = La connexion n'a pas abouti auprès de l'authentification de votre entreprise
sso-title-not-here = Cette connexion n'a pas commencé ici, ou a pris trop de temps
sso-title-not-confirmed = L'authentification de votre entreprise n'a pas pu être confirmée
sso-could-not = Portico n'a pas pu vous connecter : { $why }.
sso-try-again = Réessayer avec { $provider }
sso-unavailable = Authentification indisponible
sso-unavailable-text = { $provider } est injoignable pour le moment. Réessayez dans un instant, ou connectez-vous avec un mot de passe si vous en avez un.
