# In-App-Benachrichtigungen (Neuigkeiten auf der Startseite), beim Lesen nach ihrer Art formuliert.

news-task_assigned = Neue Aufgabe zu { $record }: { $label }
news-response_accepted = Ihre Antwort zu { $record } wurde angenommen
news-response_accepted-why = Ihre Antwort zu { $record } wurde angenommen: { $reason }
news-response_rejected = Ihre Antwort zu { $record } wurde abgelehnt
news-response_rejected-why = Ihre Antwort zu { $record } wurde abgelehnt: { $reason }
news-reassignment_succeeded = Neuzuweisung bei { $record } erfolgreich: { $replacement } ersetzt { $person }
news-waitlist_served = { $person } hat jetzt Zugriff auf { $record }: Eine externe Lizenz ist frei geworden
news-ticket_answered = Ihre Anfrage „{ $subject }“ wurde beantwortet

# After the instructions of a task that follows a rejected response.
task-previous-rejected = Ihre vorherige Antwort wurde abgelehnt: { $reason }
