# Notifications dans l'application (actualités de la page d'accueil), formulées à la lecture selon leur type.

news-task_assigned = Nouvelle tâche pour { $record } : { $label }
news-response_accepted = Votre réponse pour { $record } a été acceptée
news-response_accepted-why = Votre réponse pour { $record } a été acceptée : { $reason }
news-response_rejected = Votre réponse pour { $record } a été refusée
news-response_rejected-why = Votre réponse pour { $record } a été refusée : { $reason }
news-reassignment_succeeded = Réaffectation réussie pour { $record } : { $replacement } remplace { $person }
news-waitlist_served = { $person } a désormais accès à { $record } : une licence externe s'est libérée
news-ticket_answered = Votre demande « { $subject } » a reçu une réponse

# After the instructions of a task that follows a rejected response.
task-previous-rejected = Votre réponse précédente a été refusée : { $reason }
