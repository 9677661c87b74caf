# Portico's internal pages, English: what staff and administrators read (records and their
# actions, organizations, users, licenses, access reviews, the outbox, the configuration and
# the template editor, signing at the company's sign-on). Every key is in every language.
# Configured words (record types, states, actions) are not here: they stay as configured.

# Words many pages share
add = Add
edit = Edit
yes = yes
no = no
unknown = (unknown)
not-done = Not done
back-to-record = Back to the record
# Dates without a time: a pattern of jiff's strftime.
day-format = %-d %b %Y

# Column headings
col-name = Name
col-email = Email
col-status = Status
col-organization = Organization
col-has-user = Has a user
col-change = Change
col-username = Username
col-license = License
col-managed = Managed by automation
col-sponsors = Sponsors
col-sponsor = Sponsor
col-last-seen = Last seen
col-collaborator = Collaborator
col-asked-by = Asked for by
col-waiting-since = Waiting since
col-to = To
col-queued = Queued
col-attempts = Attempts
col-last-error = Last error
col-review = Review
col-opened = Opened
col-due = Due
col-decided = Decided
col-without-decision = Without a decision

# Statuses of emails, organizations and users
status-pending = Pending
status-sent = Sent
status-failed = Failed
status-active__v = Active
status-inactive__v = Inactive
user-active = active
user-inactive = inactive
license-external = external
license-full = full

# The dashboard
dashboard-to-review = { $count ->
    [one] { $count } external user waits for your access review
   *[other] { $count } external users wait for your access review
}

# Records: the list, a new record, the record page's internal sections
records-list-title = { $kind }s
records-new = New { $kind }
records-create = Create { $kind }
records-name = Name
records-supplier = Supplier
records-collaborator = External collaborator
records-choose-later = (choose later)
records-collaborator-hint = Only a contact of the chosen supplier can be its collaborator.
records-access-end = Access ends after (optional)
record-people = Supplier and collaborators
record-waiting = Waiting for a free external seat
record-waiting-since = waiting since
record-asked-by = asked for by { $who }
record-history = History

# Actions and their preview (the dry run shown before confirming)
actions-title = Actions
actions-hint = Each action shows what it will do before you confirm it.
preview-hand-to = Hand the work to
preview-reason = Why? The supplier reads this in its new task.
preview-button = Preview
preview-what = What it will do
preview-confirm = Confirm
preview-sign-confirm = Sign and confirm
plan-state = State: { $from } → { $to }
plan-users-created = { $count ->
    [one] { $count } user created
   *[other] { $count } users created
}
plan-users-activated = { $count ->
    [one] { $count } user activated
   *[other] { $count } users activated
}, { $seats ->
    [one] { $seats } seat taken
   *[other] { $seats } seats taken
}
plan-users-inactivated = { $count ->
    [one] { $count } user inactivated
   *[other] { $count } users inactivated
}, { $seats ->
    [one] { $seats } seat freed
   *[other] { $seats } seats freed
}
plan-grants = { $count ->
    [one] { $count } access grant
   *[other] { $count } access grants
}
plan-removals = { $count ->
    [one] { $count } access removal
   *[other] { $count } access removals
}
plan-tasks-assigned = { $count ->
    [one] { $count } task assigned
   *[other] { $count } tasks assigned
}
plan-tasks-cancelled = { $count ->
    [one] { $count } task cancelled
   *[other] { $count } tasks cancelled
}
plan-waiting = { $count ->
    [one] { $count } collaborator will wait for a free external seat
   *[other] { $count } collaborators will wait for a free external seat
}: none is free now; the first seat that frees goes to whoever has waited longest, and you are told
plan-waits-ended = { $count ->
    [one] { $count } collaborator stops waiting for a seat
   *[other] { $count } collaborators stop waiting for a seat
}
plan-email = { $email } to { $to }

# Email templates by kind, as lists name them: "Welcome email (SCAR)"
template-name = { $kind } email ({ $kind_of_record })
template-kind-welcome = Welcome
template-kind-welcome_back = Welcome Back
template-kind-goodbye = Goodbye
template-kind-task = Task
template-kind-access_ending = Access ending

# Organizations and their contacts
orgs-add = Add an organization
org-contacts = Contact list
org-no-contacts = No contacts yet.
org-add-contact = Add a contact
person-first-name = First name
person-last-name = Last name
person-language = Language of emails and pages
person-read-as-english = (read as English)
person-timezone = Time zone (e.g. Europe/Berlin; empty: the company's)

# Licenses
lic-seats = { $active } of { $seats } external seats in use; { $available } free.
lic-chart-title = Seats in use, last 30 days
lic-chart-summary = Seats in use from { $from } to { $to }: at most { $most } of { $seats }
lic-chart-caption = Solid: the most seats in use each day. Dashed: seats in the pool.
lic-no-history = No history yet.
lic-active-access = Active external access
lic-inactive-mark = (inactive)
lic-re-sponsor-title = Access to re-sponsor
lic-re-sponsor-hint = Their sponsor was inactivated: an administrator gives each another sponsor, or ends the access.
lic-new-sponsor = New sponsor
lic-re-sponsor = Re-sponsor
lic-stale-title = Not signed in lately
lic-stale-hint = External users who have not signed in for a while; consider ending their access.
lic-signed-in = signed in
lic-never-signed-in = never signed in since the welcome of
lic-waiting-title = Waiting for an external seat
lic-waiting-hint = The next seat that frees goes to the first collaborator below, at once; whoever asked for it is told.
lic-by-org = By organization
lic-active-users = Active external users
lic-no-org = (no organization)
sponsor-line = { $user } on { $record }: sponsored by { $sponsor }
sponsor-to-re-sponsor = inactive: to re-sponsor

# The outbox
outbox-retry = Retry

# Access reviews
review-title = Access review
review-waiting-title = Waiting for your decision
review-none-waiting = No external user waits for your decision.
review-you-sponsor = You sponsor these external users' access. For each, keep or remove it and say why.
review-no-org = No organization
review-all-orgs = All organizations
review-org-gone = An organization no longer known
review-decide-by = decide by { $day }
review-without-decision = without a decision, { $then }
review-default-ends = access ends
review-default-stays = access stays
review-removed = Removed
review-kept = Kept
review-access-of = Access of { $user }
review-keep = Keep access
review-remove = Remove access
review-reason = Reason
review-decide-for = Decide for { $user }
review-no-sponsor = nobody (an administrator decides)
review-none = No review yet.
review-by = by { $who }
review-closed-mark = (closed)
review-decided-of = { $decided } of { $items }
review-open-title = Open a review
review-users-of = External users of
review-days = Days until the due date
review-default = Without a decision by then
review-option-stays = The access stays
review-option-ends = The access ends
review-open = Open the review
review-opened = opened
review-due = due { $day }
review-decided-count = { $decided } of { $items } decided
review-closed = closed
review-download = Download the result (CSV)
review-external-users = External users
review-nobody = Nobody to review here.
review-sponsored-by = sponsored by { $sponsors }
review-by-default = by the review's default
review-not-decided = Not decided yet.

# The configuration and the template editor
config-constraint = Constraint of the External Collaborator field:
config-on-entry = On entry
config-moves = Moves
config-entry-activate = Create & Activate External Collaborator
config-entry-inactivate = Inactivate External Collaborator
config-templates = Templates:
config-changed = (changed)
tpl-language = Language of the text
tpl-subject = Subject
tpl-text = Text
tpl-html = HTML (leave empty to make it from the text)
tpl-html-part = HTML part
tpl-reset = Back to the shipped text

# Signing at the company's sign-on (single sign-on users sign by signing in again)
sign-provider-done = You signed in again at your company's sign-on to sign.
sign-provider-how = You sign by signing in again at your company's sign-on.
sign-provider-go = Sign in again to sign
sso-say-what = Say what to sign: a task, or a record and an action.
sso-signed-again = Signed in again
sso-signed-again-text = You signed in again at { $provider }. Finish your signature within { $minutes } minutes.
sso-continue = Continue to sign
sso-not-signed = Not signed
sso-nothing-signed = Nothing was signed: { $why }.
sso-no-access = No Portico access
sso-no-access-text = You signed in at { $provider }, but { $why }.
sso-back-to-sign-in = Back to sign-in
sso-title-not-completed = The sign-in was not completed at your company's sign-on
sso-title-not-here = This sign-in did not start here, or took too long
sso-title-not-confirmed = Your company's sign-on could not be confirmed
sso-could-not = Portico could not sign you in: { $why }.
sso-try-again = Try again with { $provider }
sso-unavailable = Sign-on is not available
sso-unavailable-text = { $provider } cannot be reached just now. Try again in a moment, or sign in with a password if you have one.
