# Portico's pages, English: what every signed-in page shares (navigation, errors, dates),
# the dashboard, the account and the tickets pages. Every key is in every language.

nav-tickets = Tickets
nav-records = SCARs
nav-organizations = Organizations
nav-users = Users
nav-licenses = Licenses
nav-reviews = Access reviews
nav-outbox = Outbox
nav-configuration = Configuration
nav-language = Language
sign-out = Sign out

error-title = Not available
error-home = Home
error-nothing-here = There is nothing here for you.
error-invalid-data = What was sent cannot be used. Check the form and try again.
error-insufficient-access = You may not do this.
error-not-allowed = This is not possible now.
error-limit-exceeded = Too many attempts. Wait a little and try again.
error-conflict = Someone changed this at the same time. Reload the page and try again.
error-internal = Something went wrong on our side. Please try again in a moment.
error-other = This could not be done.
form-expired-title = Form expired
form-expired-text = This form has expired or did not come from Portico. Go back, reload the page and try again.

table-empty = Nothing here.
col-record = Record
col-type = Type
col-state = State

signature-legend = Electronic signature
signature-affirm = By signing you affirm:
signature-password = Your password

# Dates: patterns of jiff's strftime (https://docs.rs/jiff/latest/jiff/fmt/strtime/).
date-today = today, { $time }
date-yesterday = yesterday, { $time }
date-format = %-d %b %Y, %H:%M
date-exact-format = %A %-d %B %Y, %H:%M:%S %Z
due-today = due today
due-in = { $days ->
    [1] due tomorrow
   *[other] due in { $days } days
}
overdue-by = { $days ->
    [0] overdue since today
    [one] overdue by { $days } day
   *[other] overdue by { $days } days
}

status-open = Open
status-completed = Completed
status-cancelled = Cancelled
status-answered = Answered

dashboard-title = Dashboard
dashboard-licenses = External licenses
dashboard-seats = { $active } of { $seats } seats in use, { $available } free.
dashboard-waiting = Waiting for a supplier's response
dashboard-open-tasks = Open tasks
dashboard-no-tasks = No open tasks.

password-title = Change your password
password-one-time-intro = You signed in with a one-time password. Choose your own password to go on.
password-one-time = One-time password
password-current = Current password
password-new = New password
password-hint = At least 10 characters, hard to guess: a few uncommon words work well.
password-repeat-new = Repeat the new password
password-change = Change password
password-differ-new = The two new passwords differ.
password-changed-title = Your password is changed
password-changed-text = Your new password is in force. Other sessions of your account have been signed out.
password-weak = This password cannot be used: choose a longer one that is hard to guess (a few uncommon words work well).
continue = Continue

language-title = Language of your pages
language-intro = Portico shows your pages in the language you choose here, or else in your browser's language.
language-browser = My browser's language
language-save = Save
language-saved = Saved.

tickets-title = Tickets
tickets-ask = Ask the company
ticket-kind = Kind
ticket-support = Support request
ticket-service = Service request
ticket-subject = Subject
ticket-body = Your request
ticket-send = Send
ticket-answer-label = Answer:
ticket-answer = Answer
