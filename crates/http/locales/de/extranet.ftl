# Portico-Seiten für Lieferanten, Deutsch: Anmelden, Passwort festlegen, Ihre Anfragen und
# die Seite eines Vorgangs. Jeder Schlüssel steht in jeder Sprache.

signin-title = Bei Portico anmelden
signin-with = Mit { $provider } anmelden
signin-sso-hint = Mitarbeitende des Unternehmens melden sich dort an. Lieferanten, Auftragnehmer und der Administrator verwenden Benutzername und Passwort:
signin-username = Benutzername
signin-password = Passwort
signin-submit = Anmelden
signin-new-here = Neu hier? Legen Sie Ihr Passwort über den Link in Ihrer Einladungs-E-Mail fest.
signin-forgot = Passwort vergessen? Neuen Link anfordern
signin-wrong = Benutzername oder Passwort ist falsch, oder das Konto ist nicht aktiv.
signed-out-title = Abgemeldet
signed-out-text = Sie sind von Portico abgemeldet. Bei { $provider } sind Sie möglicherweise noch angemeldet.
signed-out-provider = Auch von { $provider } abmelden
signin-again = Erneut anmelden

setpw-title = Passwort festlegen
setpw-intro = Wählen Sie das Passwort für Ihr Portico-Konto. Der Link ist nur einmal gültig.
setpw-repeat = Passwort wiederholen
setpw-submit = Passwort festlegen
setpw-differ = Die beiden Passwörter stimmen nicht überein.
setpw-done-title = Ihr Passwort ist festgelegt
setpw-done-text = Sie können sich jetzt mit Ihrem Benutzernamen und diesem Passwort anmelden.
newlink-title = Neuen Link anfordern
newlink-intro = Wir senden Ihnen einen Link zum Festlegen eines neuen Passworts an die E-Mail-Adresse Ihres Kontos.
newlink-username = Ihr Benutzername oder Ihre E-Mail-Adresse
newlink-submit = Neuen Link senden
link-gone-title = Dieser Link ist nicht mehr gültig
link-gone-intro = Der Link wurde bereits verwendet oder ist abgelaufen. Fordern Sie einen neuen an:
newlink-sent-title = Bitte prüfen Sie Ihre E-Mails
newlink-sent-text = Wenn ein aktives Konto diesen Benutzernamen oder diese E-Mail-Adresse hat, ist ein neuer Link unterwegs. Er ist nur einmal gültig und läuft ab.
newlink-too-many = Es wurden zu viele Links angefordert.
newlink-give = Geben Sie Ihren Benutzernamen oder Ihre E-Mail-Adresse an.

home-title = Ihre Anfragen
home-news = Neuigkeiten
home-mark-read = Alle als gelesen markieren
home-your-tasks = Ihre offenen Aufgaben
home-no-task = Zurzeit wartet keine Aufgabe auf Sie.

record-closed = Dieser Vorgang ist abgeschlossen: Sie können ihn weiterhin lesen, aber nicht mehr antworten, kommentieren oder Dateien hinzufügen.
field-type = Art
field-state = Status
field-supplier = Lieferant
field-access-ends = Zugriff endet nach dem
tasks-title = Aufgaben
tasks-none = Keine Aufgaben.
task-response = Antwort:
task-your-response = Ihre Antwort
task-sign-send = Signieren und Antwort senden
task-send = Antwort senden
signatures-title = Signaturen
signature-earlier = (hat eine frühere Fassung dieses Vorgangs signiert)
checklists-title = Checklisten
checklists-none = Keine Checklisten.
checklist-completed = abgeschlossen
checklist-save = Antworten speichern
checklist-complete = Abschließen
comments-title = Kommentare
comment-add = Kommentar hinzufügen
comment-submit = Kommentieren
files-title = Dateien und Fotos
files-none = Noch keine Dateien.
files-add = Datei hinzufügen oder Foto aufnehmen (PDF, Bild, Text oder CSV; höchstens { $mb } MB)
files-upload = Hochladen
files-too-large = Diese Datei ist größer als { $mb } MB. Nehmen Sie ein Foto mit geringerer Auflösung erneut auf (oder senden Sie eine kleinere Kopie) und laden Sie diese hoch.
