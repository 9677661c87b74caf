# Warum eine Aktion abgelehnt wurde, wie die Seite es dem Leser sagt.

refusal-record-closed = { $record } ist abgeschlossen: Sie können den Vorgang weiterhin lesen, aber nicht mehr kommentieren, keine Dateien hinzufügen und nicht mehr antworten.
refusal-external-cannot-change = Externe Beteiligte können Vorgänge nicht ändern und keine Aktionen darauf ausführen.
refusal-task-not-open = Diese Aufgabe ist nicht mehr offen: Sie wurde bereits beantwortet oder zurückgezogen.
refusal-action-not-now = Diese Aktion ist im aktuellen Status des Vorgangs nicht möglich.
refusal-no-seat = Es ist keine Lizenz frei: Alle { $seats } Lizenzen sind vergeben.
refusal-no-seat-now = Es ist keine Lizenz frei: Eine andere Anfrage hat die letzte belegt.
refusal-response-required = Bitte schreiben Sie eine Antwort, bevor Sie sie senden.
refusal-response-too-long = Die Antwort darf höchstens { $max } Zeichen lang sein.
refusal-checklist-completed = Die Checkliste „{ $name }“ ist abgeschlossen und kann nicht mehr geändert werden.
refusal-checklist-unanswered = { $missing ->
    [one] Die Checkliste „{ $name }“ kann noch nicht abgeschlossen werden: Eine Frage ist unbeantwortet.
   *[other] Die Checkliste „{ $name }“ kann noch nicht abgeschlossen werden: { $missing } Fragen sind unbeantwortet.
}
refusal-checklist-too-many-answers = Die Checkliste „{ $name }“ hat { $questions } Fragen, es wurden aber { $answers } Antworten gegeben.
refusal-file-type = Dieser Dateityp wird nicht angenommen. Erlaubt sind: { $accepted }.
refusal-file-not-valid = Die Datei ist keine gültige { $type }-Datei.
refusal-file-name = Der Dateiname darf höchstens { $max } Zeichen lang sein.
refusal-file-empty = Die Datei ist leer.
refusal-file-too-large = Die Datei ist größer als { $megabytes } MB.
refusal-file-choose = Bitte wählen Sie eine Datei zum Hochladen aus.
refusal-subject-required = Bitte geben Sie einen Betreff ein.
refusal-subject-too-long = Der Betreff darf höchstens { $max } Zeichen lang sein.
refusal-text-required = Bitte schreiben Sie einen Text, bevor Sie ihn senden.
refusal-text-too-long = Der Text darf höchstens { $max } Zeichen lang sein.
refusal-changed-meanwhile = { $record } wurde inzwischen geändert und erfordert jetzt eine andere Unterschrift. Es wurde nichts geändert; bitte versuchen Sie es erneut.
refusal-signature-password = Das Passwort ist nicht korrekt: Es wurde nichts unterschrieben oder geändert.
refusal-password-too-short = Das Passwort muss mindestens { $min } Zeichen lang sein.
refusal-password-too-long = Das Passwort darf höchstens { $max } Zeichen lang sein.
refusal-password-is-username = Das Passwort darf nicht Ihr Benutzername oder Ihre E-Mail-Adresse sein.
refusal-password-weak = Dieses Passwort ist zu leicht zu erraten. Verwenden Sie einige ungewöhnliche Wörter oder eine längere Mischung aus Buchstaben, Ziffern und Zeichen.
refusal-current-password = Das aktuelle Passwort ist nicht korrekt.
refusal-password-unchanged = Das neue Passwort muss sich vom aktuellen unterscheiden.
refusal-username-required = Bitte geben Sie Ihren Benutzernamen oder Ihre E-Mail-Adresse ein.
refusal-link-gone = Dieser Link wurde bereits verwendet oder ist abgelaufen. Bitten Sie Ihre Kontaktperson um eine neue Einladung.
refusal-too-many-attempts = { $minutes ->
    [one] Zu viele Versuche. Bitte versuchen Sie es in einer Minute erneut.
   *[other] Zu viele Versuche. Bitte versuchen Sie es in { $minutes } Minuten erneut.
}
