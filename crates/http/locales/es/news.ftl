# Notificaciones de la aplicación (novedades de la página de inicio), redactadas al leerlas según su tipo.

news-task_assigned = Nueva tarea en { $record }: { $label }
news-response_accepted = Su respuesta en { $record } fue aceptada
news-response_accepted-why = Su respuesta en { $record } fue aceptada: { $reason }
news-response_rejected = Su respuesta en { $record } fue rechazada
news-response_rejected-why = Su respuesta en { $record } fue rechazada: { $reason }
news-reassignment_succeeded = Reasignación en { $record } completada: { $replacement } sustituye a { $person }
news-waitlist_served = { $person } ya tiene acceso a { $record }: se liberó una licencia externa
news-ticket_answered = Su solicitud «{ $subject }» ha sido respondida

# After the instructions of a task that follows a rejected response.
task-previous-rejected = Su respuesta anterior fue rechazada: { $reason }
