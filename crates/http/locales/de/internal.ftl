# Interne Portico-Seiten, Deutsch: was Mitarbeitende und Administratoren lesen (Vorgänge und
# ihre Aktionen, Organisationen, Benutzer, Lizenzen, Zugriffsprüfungen, Postausgang,
# Konfiguration und Vorlagen-Editor, Signieren über die Firmenanmeldung). Jeder Schlüssel
# steht in jeder Sprache. Konfigurierte Wörter (Vorgangsarten, Status, Aktionen) bleiben, wie
# sie konfiguriert sind.

add = Hinzufügen
edit = Bearbeiten
yes = ja
no = nein
unknown = (unbekannt)
not-done = Nicht ausgeführt
back-to-record = Zurück zum Vorgang
day-format = %d.%m.%Y

col-name = Name
col-email = E-Mail
col-status = Status
col-organization = Organisation
col-has-user = Hat einen Benutzer
col-change = Ändern
col-username = Benutzername
col-license = Lizenz
col-managed = Automatisch verwaltet
col-sponsors = Sponsoren
col-sponsor = Sponsor
col-last-seen = Zuletzt gesehen
col-collaborator = Mitwirkende Person
col-asked-by = Angefordert von
col-waiting-since = Wartet seit
col-to = An
col-queued = Eingereiht
col-attempts = Versuche
col-last-error = Letzter Fehler
col-review = Prüfung
col-opened = Eröffnet
col-due = Fällig
col-decided = Entschieden
col-without-decision = Ohne Entscheidung

status-pending = Ausstehend
status-sent = Gesendet
status-failed = Fehlgeschlagen
status-active__v = Aktiv
status-inactive__v = Inaktiv
user-active = aktiv
user-inactive = inaktiv
license-external = extern
license-full = voll

dashboard-to-review = { $count ->
    [one] { $count } externer Benutzer wartet auf Ihre Zugriffsprüfung
   *[other] { $count } externe Benutzer warten auf Ihre Zugriffsprüfung
}

records-list-title = { $kind }-Liste
records-new = { $kind } anlegen
records-create = { $kind } anlegen
records-name = Name
records-supplier = Lieferant
records-collaborator = Externe mitwirkende Person
records-choose-later = (später auswählen)
records-collaborator-hint = Nur ein Kontakt des gewählten Lieferanten kann mitwirken.
records-access-end = Zugriff endet nach (optional)
record-people = Lieferant und Mitwirkende
record-waiting = Wartet auf einen freien externen Platz
record-waiting-since = wartet seit
record-asked-by = angefordert von { $who }
record-history = Verlauf

actions-title = Aktionen
actions-hint = Jede Aktion zeigt, was sie tun wird, bevor Sie sie bestätigen.
preview-hand-to = Arbeit übergeben an
preview-reason = Warum? Der Lieferant liest das in seiner neuen Aufgabe.
preview-button = Vorschau
preview-what = Was geschehen wird
preview-confirm = Bestätigen
preview-sign-confirm = Signieren und bestätigen
plan-state = Status: { $from } → { $to }
plan-users-created = { $count ->
    [one] { $count } Benutzer wird angelegt
   *[other] { $count } Benutzer werden angelegt
}
plan-users-activated = { $count ->
    [one] { $count } Benutzer wird aktiviert
   *[other] { $count } Benutzer werden aktiviert
}, { $seats ->
    [one] { $seats } Platz wird belegt
   *[other] { $seats } Plätze werden belegt
}
plan-users-inactivated = { $count ->
    [one] { $count } Benutzer wird deaktiviert
   *[other] { $count } Benutzer werden deaktiviert
}, { $seats ->
    [one] { $seats } Platz wird frei
   *[other] { $seats } Plätze werden frei
}
plan-grants = { $count ->
    [one] { $count } Zugriffsrecht wird vergeben
   *[other] { $count } Zugriffsrechte werden vergeben
}
plan-removals = { $count ->
    [one] { $count } Zugriffsrecht wird entzogen
   *[other] { $count } Zugriffsrechte werden entzogen
}
plan-tasks-assigned = { $count ->
    [one] { $count } Aufgabe wird zugewiesen
   *[other] { $count } Aufgaben werden zugewiesen
}
plan-tasks-cancelled = { $count ->
    [one] { $count } Aufgabe wird abgebrochen
   *[other] { $count } Aufgaben werden abgebrochen
}
plan-waiting = { $count ->
    [one] { $count } mitwirkende Person wartet auf einen freien externen Platz
   *[other] { $count } mitwirkende Personen warten auf einen freien externen Platz
}: Derzeit ist keiner frei. Der nächste frei werdende Platz geht an die Person, die am längsten wartet, und Sie werden benachrichtigt.
plan-waits-ended = { $count ->
    [one] { $count } mitwirkende Person wartet nicht mehr auf einen Platz
   *[other] { $count } mitwirkende Personen warten nicht mehr auf einen Platz
}
plan-email = { $email } an { $to }

template-name = E-Mail „{ $kind }“ ({ $kind_of_record })
template-kind-welcome = Willkommen
template-kind-welcome_back = Willkommen zurück
template-kind-goodbye = Abschied
template-kind-task = Aufgabe
template-kind-access_ending = Zugriff endet

orgs-add = Organisation hinzufügen
org-contacts = Kontaktliste
org-no-contacts = Noch keine Kontakte.
org-add-contact = Kontakt hinzufügen
person-first-name = Vorname
person-last-name = Nachname
person-language = Sprache von E-Mails und Seiten
person-read-as-english = (wird als Englisch gelesen)
person-timezone = Zeitzone (z. B. Europe/Berlin; leer: die des Unternehmens)

lic-seats = { $active } von { $seats } externen Plätzen belegt; { $available } frei.
lic-chart-title = Belegte Plätze in den letzten 30 Tagen
lic-chart-summary = Belegte Plätze vom { $from } bis { $to }: höchstens { $most } von { $seats }
lic-chart-caption = Durchgezogen: die meisten belegten Plätze pro Tag. Gestrichelt: Plätze im Kontingent.
lic-no-history = Noch kein Verlauf.
lic-active-access = Aktive externe Zugriffe
lic-inactive-mark = (inaktiv)
lic-re-sponsor-title = Zugriffe mit neuem Sponsor zu versehen
lic-re-sponsor-hint = Ihr Sponsor wurde deaktiviert: Ein Administrator gibt jedem Zugriff einen anderen Sponsor oder beendet ihn.
lic-new-sponsor = Neuer Sponsor
lic-re-sponsor = Sponsor ändern
lic-stale-title = Länger nicht angemeldet
lic-stale-hint = Externe Benutzer, die sich seit einiger Zeit nicht angemeldet haben; erwägen Sie, ihren Zugriff zu beenden.
lic-signed-in = angemeldet
lic-never-signed-in = nie angemeldet; Einladung:
lic-waiting-title = Warten auf einen externen Platz
lic-waiting-hint = Der nächste frei werdende Platz geht sofort an die erste Person unten; wer ihn angefordert hat, wird benachrichtigt.
lic-by-org = Nach Organisation
lic-active-users = Aktive externe Benutzer
lic-no-org = (keine Organisation)
sponsor-line = { $user } bei { $record }: Sponsor { $sponsor }
sponsor-to-re-sponsor = inaktiv: neuer Sponsor nötig

outbox-retry = Erneut senden

review-title = Zugriffsprüfung
review-waiting-title = Wartet auf Ihre Entscheidung
review-none-waiting = Kein externer Benutzer wartet auf Ihre Entscheidung.
review-you-sponsor = Sie sind Sponsor für den Zugriff dieser externen Benutzer. Behalten oder entziehen Sie jeden Zugriff und begründen Sie es.
review-no-org = Keine Organisation
review-all-orgs = Alle Organisationen
review-org-gone = Eine nicht mehr bekannte Organisation
review-decide-by = Entscheidung bis { $day }
review-without-decision = ohne Entscheidung: { $then }
review-default-ends = Zugriff endet
review-default-stays = Zugriff bleibt
review-removed = Entzogen
review-kept = Behalten
review-access-of = Zugriff von { $user }
review-keep = Zugriff behalten
review-remove = Zugriff entziehen
review-reason = Begründung
review-decide-for = Für { $user } entscheiden
review-no-sponsor = niemand (ein Administrator entscheidet)
review-none = Noch keine Prüfung.
review-by = von { $who }
review-closed-mark = (abgeschlossen)
review-decided-of = { $decided } von { $items }
review-open-title = Prüfung eröffnen
review-users-of = Externe Benutzer von
review-days = Tage bis zur Fälligkeit
review-default = Ohne Entscheidung bis dahin
review-option-stays = Der Zugriff bleibt
review-option-ends = Der Zugriff endet
review-open = Prüfung eröffnen
review-opened = eröffnet
review-due = fällig am { $day }
review-decided-count = { $decided } von { $items } entschieden
review-closed = abgeschlossen
review-download = Ergebnis herunterladen (CSV)
review-external-users = Externe Benutzer
review-nobody = Hier ist niemand zu prüfen.
review-sponsored-by = Sponsor: { $sponsors }
review-by-default = durch die Vorgabe der Prüfung
review-not-decided = Noch nicht entschieden.

config-constraint = Einschränkung des Felds „Externe mitwirkende Person“:
config-on-entry = Beim Eintritt
config-moves = Übergänge
config-entry-activate = Externe mitwirkende Person anlegen und aktivieren
config-entry-inactivate = Externe mitwirkende Person deaktivieren
config-templates = Vorlagen:
config-changed = (geändert)
tpl-language = Sprache des Texts
tpl-subject = Betreff
tpl-text = Text
tpl-html = HTML (leer lassen, um es aus dem Text zu erzeugen)
tpl-html-part = HTML-Teil
tpl-reset = Zurück zum ausgelieferten Text

sign-provider-done = Sie haben sich zum Signieren erneut über die Anmeldung Ihres Unternehmens angemeldet.
sign-provider-how = Sie signieren, indem Sie sich erneut über die Anmeldung Ihres Unternehmens anmelden.
sign-provider-go = Zum Signieren erneut anmelden
sso-say-what = Geben Sie an, was signiert werden soll: eine Aufgabe oder ein Vorgang mit einer Aktion.
sso-signed-again = Erneut angemeldet
sso-signed-again-text = Sie haben sich erneut bei { $provider } angemeldet. Schließen Sie Ihre Signatur innerhalb von { $minutes } Minuten ab.
sso-continue = Weiter zum Signieren
sso-not-signed = Nicht signiert
sso-nothing-signed = Es wurde nichts signiert: { $why }.
sso-no-access = Kein Zugang zu Portico
sso-no-access-text = Sie haben sich bei { $provider } angemeldet, aber: { $why }.
sso-back-to-sign-in = Zurück zur Anmeldung
sso-title-not-completed = Die Anmeldung wurde bei der Anmeldung Ihres Unternehmens nicht abgeschlossen
sso-title-not-here = Diese Anmeldung wurde nicht hier begonnen oder hat zu lange gedauert
sso-title-not-confirmed = Die Anmeldung Ihres Unternehmens konnte nicht bestätigt werden
sso-could-not = Portico konnte Sie nicht anmelden: { $why }.
sso-try-again = Erneut mit { $provider } versuchen
sso-unavailable = Anmeldung nicht verfügbar
sso-unavailable-text = { $provider } ist gerade nicht erreichbar. Versuchen Sie es gleich noch einmal oder melden Sie sich mit einem Passwort an, falls Sie eines haben.
