# Pages de Portico, français : ce que partagent toutes les pages après connexion (navigation,
# erreurs, dates), le tableau de bord, le compte et les tickets. Chaque clé existe dans chaque langue.

nav-tickets = Tickets
nav-records = SCAR
nav-organizations = Organisations
nav-users = Utilisateurs
nav-licenses = Licences
nav-reviews = Revues d’accès
nav-outbox = Boîte d'envoi
nav-configuration = Configuration
nav-language = Langue
sign-out = Se déconnecter

error-title = Non disponible
error-home = Accueil
error-nothing-here = Il n'y a rien ici pour vous.
error-invalid-data = Les informations envoyées ne peuvent pas être utilisées. Vérifiez le formulaire et réessayez.
error-insufficient-access = Vous n'êtes pas autorisé(e) à faire cela.
error-not-allowed = Ce n'est pas possible pour le moment.
error-limit-exceeded = Trop de tentatives. Patientez un peu, puis réessayez.
error-conflict = Quelqu'un a modifié cet élément au même moment. Rechargez la page et réessayez.
error-internal = Un problème est survenu de notre côté. Veuillez réessayer dans un instant.
error-other = Cette action n'a pas pu être effectuée.
form-expired-title = Formulaire expiré
form-expired-text = Ce formulaire a expiré ou ne provient pas de Portico. Revenez en arrière, rechargez la page et réessayez.

table-empty = Rien à afficher.
col-record = Dossier
col-type = Type
col-state = État

signature-legend = Signature électronique
signature-affirm = En signant, vous attestez :
signature-password = Votre mot de passe

date-today = aujourd'hui, { $time }
date-yesterday = hier, { $time }
date-format = %d/%m/%Y %H:%M
date-exact-format = %d/%m/%Y %H:%M:%S %Z
due-today = échéance aujourd'hui
due-in = { $days ->
    [1] échéance demain
   *[other] échéance dans { $days } jours
}
overdue-by = { $days ->
    [0] en retard depuis aujourd'hui
    [one] en retard de { $days } jour
   *[other] en retard de { $days } jours
}

status-open = Ouverte
status-completed = Terminée
status-cancelled = Annulée
status-answered = Répondu

dashboard-title = Tableau de bord
dashboard-licenses = Licences externes
dashboard-seats = { $active } places utilisées sur { $seats }, { $available } libres.
dashboard-waiting = En attente de la réponse d'un fournisseur
dashboard-open-tasks = Tâches ouvertes
dashboard-no-tasks = Aucune tâche ouverte.

password-title = Changer votre mot de passe
password-one-time-intro = Vous vous êtes connecté(e) avec un mot de passe à usage unique. Choisissez votre propre mot de passe pour continuer.
password-one-time = Mot de passe à usage unique
password-current = Mot de passe actuel
password-new = Nouveau mot de passe
password-hint = Au moins 10 caractères, difficile à deviner : quelques mots peu courants conviennent bien.
password-repeat-new = Confirmez le nouveau mot de passe
password-change = Changer le mot de passe
password-differ-new = Les deux nouveaux mots de passe sont différents.
password-changed-title = Votre mot de passe a été changé
password-changed-text = Votre nouveau mot de passe est actif. Les autres sessions de votre compte ont été déconnectées.
password-weak = Ce mot de passe ne peut pas être utilisé : choisissez-en un plus long et difficile à deviner (quelques mots peu courants conviennent bien).
continue = Continuer

language-title = Langue de vos pages
language-intro = Portico affiche vos pages dans la langue choisie ici, sinon dans celle de votre navigateur.
language-browser = La langue de mon navigateur
language-save = Enregistrer
language-saved = Enregistré.

tickets-title = Tickets
tickets-ask = Contacter l'entreprise
ticket-kind = Type
ticket-support = Demande d'assistance
ticket-service = Demande de service
ticket-subject = Objet
ticket-body = Votre demande
ticket-send = Envoyer
ticket-answer-label = Réponse :
ticket-answer = Répondre
