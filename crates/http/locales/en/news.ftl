# In-app notifications (the home page's news), worded at read time by their kind.

news-task_assigned = New task on { $record }: { $label }
news-response_accepted = Your response on { $record } was accepted
news-response_accepted-why = Your response on { $record } was accepted: { $reason }
news-response_rejected = Your response on { $record } was rejected
news-response_rejected-why = Your response on { $record } was rejected: { $reason }
news-reassignment_succeeded = Reassignment on { $record } succeeded: { $person } replaced by { $replacement }
news-waitlist_served = { $person } now has access to { $record }: an external license seat became free
news-ticket_answered = Your request "{ $subject }" was answered

# After the instructions of a task that follows a rejected response.
task-previous-rejected = Your previous response was rejected: { $reason }
