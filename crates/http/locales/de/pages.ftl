# Portico-Seiten, Deutsch: was alle angemeldeten Seiten teilen (Navigation, Fehler, Datum),
# Übersicht, Konto und Tickets. Jeder Schlüssel steht in jeder Sprache.

nav-tickets = Tickets
nav-records = SCARs
nav-organizations = Organisationen
nav-users = Benutzer
nav-licenses = Lizenzen
nav-reviews = Zugriffsprüfungen
nav-outbox = Postausgang
nav-configuration = Konfiguration
nav-language = Sprache
sign-out = Abmelden

error-title = Nicht verfügbar
error-home = Startseite
error-nothing-here = Hier gibt es nichts für Sie.
error-invalid-data = Die Angaben können so nicht verwendet werden. Bitte prüfen Sie das Formular und versuchen Sie es erneut.
error-insufficient-access = Dazu sind Sie nicht berechtigt.
error-not-allowed = Das ist im Moment nicht möglich.
error-limit-exceeded = Zu viele Versuche. Bitte warten Sie einen Moment und versuchen Sie es dann erneut.
error-conflict = Jemand hat dies gleichzeitig geändert. Bitte laden Sie die Seite neu und versuchen Sie es erneut.
error-internal = Bei uns ist etwas schiefgegangen. Bitte versuchen Sie es gleich noch einmal.
error-other = Das konnte nicht ausgeführt werden.
form-expired-title = Formular abgelaufen
form-expired-text = Dieses Formular ist abgelaufen oder stammt nicht von Portico. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es erneut.

table-empty = Hier ist nichts.
col-record = Vorgang
col-type = Art
col-state = Status

signature-legend = Elektronische Signatur
signature-affirm = Mit Ihrer Signatur bestätigen Sie:
signature-password = Ihr Passwort

date-today = heute, { $time }
date-yesterday = gestern, { $time }
date-format = %d.%m.%Y, %H:%M
date-exact-format = %d.%m.%Y, %H:%M:%S %Z
due-today = heute fällig
due-in = { $days ->
    [1] morgen fällig
   *[other] fällig in { $days } Tagen
}
overdue-by = { $days ->
    [0] seit heute überfällig
    [one] seit { $days } Tag überfällig
   *[other] seit { $days } Tagen überfällig
}

status-open = Offen
status-completed = Erledigt
status-cancelled = Abgebrochen
status-answered = Beantwortet

dashboard-title = Übersicht
dashboard-licenses = Externe Lizenzen
dashboard-seats = { $active } von { $seats } Plätzen belegt, { $available } frei.
dashboard-waiting = Wartet auf die Antwort eines Lieferanten
dashboard-open-tasks = Offene Aufgaben
dashboard-no-tasks = Keine offenen Aufgaben.

password-title = Passwort ändern
password-one-time-intro = Sie haben sich mit einem Einmalpasswort angemeldet. Wählen Sie Ihr eigenes Passwort, um fortzufahren.
password-one-time = Einmalpasswort
password-current = Aktuelles Passwort
password-new = Neues Passwort
password-hint = Mindestens 10 Zeichen und schwer zu erraten: Einige ungewöhnliche Wörter eignen sich gut.
password-repeat-new = Neues Passwort wiederholen
password-change = Passwort ändern
password-differ-new = Die beiden neuen Passwörter stimmen nicht überein.
password-changed-title = Ihr Passwort wurde geändert
password-changed-text = Ihr neues Passwort gilt ab sofort. Andere Sitzungen Ihres Kontos wurden abgemeldet.
password-weak = Dieses Passwort kann nicht verwendet werden: Wählen Sie ein längeres, schwer zu erratendes Passwort (einige ungewöhnliche Wörter eignen sich gut).
continue = Weiter

language-title = Sprache Ihrer Seiten
language-intro = Portico zeigt Ihre Seiten in der hier gewählten Sprache an, sonst in der Sprache Ihres Browsers.
language-browser = Sprache meines Browsers
language-save = Speichern
language-saved = Gespeichert.

tickets-title = Tickets
tickets-ask = Anfrage an das Unternehmen
ticket-kind = Art
ticket-support = Supportanfrage
ticket-service = Serviceanfrage
ticket-subject = Betreff
ticket-body = Ihre Anfrage
ticket-send = Senden
ticket-answer-label = Antwort:
ticket-answer = Antworten
