# Why an action was refused, as a page says it to the reader (the API keeps its English
# sentence). Keys are the service's reason keys (ServiceError::because).

refusal-record-closed = { $record } is closed: you can still read it, but no longer comment, add files or answer on it.
refusal-external-cannot-change = External collaborators cannot change records or run their actions.
refusal-task-not-open = This task is no longer open: it was already answered or withdrawn.
refusal-action-not-now = This action is not possible in the record's current state.
refusal-no-seat = No license seat is free: all { $seats } seats are in use.
refusal-no-seat-now = No license seat is free: another request took the last one.
refusal-response-required = Please write a response before you send it.
refusal-response-too-long = The response may have at most { $max } characters.
refusal-checklist-completed = The checklist “{ $name }” is completed and can no longer change.
refusal-checklist-unanswered = { $missing ->
    [one] The checklist “{ $name }” cannot be completed yet: one question has no answer.
   *[other] The checklist “{ $name }” cannot be completed yet: { $missing } questions have no answer.
}
refusal-checklist-too-many-answers = The checklist “{ $name }” has { $questions } questions, but { $answers } answers were given.
refusal-file-type = This type of file is not accepted. Accepted are: { $accepted }.
refusal-file-not-valid = The file is not a valid { $type } file.
refusal-file-name = A file needs a name of at most { $max } characters.
refusal-file-empty = The file is empty.
refusal-file-too-large = The file is larger than { $megabytes } MB.
refusal-file-choose = Please choose a file to upload.
refusal-subject-required = Please enter a subject.
refusal-subject-too-long = The subject may have at most { $max } characters.
refusal-text-required = Please write some text before you send it.
refusal-text-too-long = The text may have at most { $max } characters.
refusal-changed-meanwhile = { $record } was changed in the meantime and now needs a different signature. Nothing was changed; please try again.
refusal-signature-password = The password is not correct: nothing was signed or changed.
refusal-password-too-short = The password must have at least { $min } characters.
refusal-password-too-long = The password may have at most { $max } characters.
refusal-password-is-username = The password must not be your username or email address.
refusal-password-weak = This password is too easy to guess. Use a few uncommon words, or a longer mix of letters, digits and signs.
refusal-current-password = The current password is not correct.
refusal-password-unchanged = The new password must differ from the current one.
refusal-username-required = Please enter your username or email address.
refusal-link-gone = This link has already been used or has expired. Ask your contact for a new invitation.
refusal-too-many-attempts = { $minutes ->
    [one] Too many attempts. Please try again in one minute.
   *[other] Too many attempts. Please try again in { $minutes } minutes.
}
