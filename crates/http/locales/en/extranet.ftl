# Portico's pages for suppliers, English: signing in, setting a password, the requests and
# a record's page. Every key is in every language.

signin-title = Sign in to Portico
signin-with = Sign in with { $provider }
signin-sso-hint = Company staff sign in there. Suppliers and contractors, and the administrator, use a username and password:
signin-username = Username
signin-password = Password
signin-submit = Sign in
signin-new-here = New here? Use the link in your invitation email to set a password.
signin-forgot = Forgot your password? Get a new link
signin-wrong = The username or password is not correct, or the account is not active.
signed-out-title = Signed out
signed-out-text = You are signed out of Portico. You may still be signed in at { $provider }.
signed-out-provider = Sign out of { $provider } too
signin-again = Sign in again

setpw-title = Set your password
setpw-intro = Choose the password for your Portico account. The link works once.
setpw-repeat = Repeat the password
setpw-submit = Set password
setpw-differ = The two passwords differ.
setpw-done-title = Your password is set
setpw-done-text = You can now sign in with your username and this password.
newlink-title = Get a new link
newlink-intro = We will email a link to set a new password to the address of your account.
newlink-username = Your username or email
newlink-submit = Send me a new link
link-gone-title = This link no longer works
link-gone-intro = The link has already been used, or it has expired. Ask for a new one:
newlink-sent-title = Check your email
newlink-sent-text = If an active account has that username or email, a new link is on its way. It works once and expires.
newlink-too-many = Too many links were asked for.
newlink-give = Give your username or email.

home-title = Your requests
home-news = News
home-mark-read = Mark all as read
home-your-tasks = Your open tasks
home-no-task = No task is waiting for you.

record-closed = This record is closed: you can still read it, but no longer answer, comment or add files.
field-type = Type
field-state = State
field-supplier = Supplier
field-access-ends = Access ends after
tasks-title = Tasks
tasks-none = No tasks.
task-response = Response:
task-your-response = Your response
task-sign-send = Sign and send response
task-send = Send response
signatures-title = Signatures
signature-earlier = (signed an earlier version of this record)
checklists-title = Checklists
checklists-none = No checklists.
checklist-completed = completed
checklist-save = Save answers
checklist-complete = Complete
comments-title = Comments
comment-add = Add a comment
comment-submit = Comment
files-title = Files and photos
files-none = No files yet.
files-add = Add a file or take a photo (PDF, image, text or CSV; at most { $mb } MB)
files-upload = Upload
files-too-large = This file is larger than { $mb } MB. For a photo, take it again at a lower resolution (or send a smaller copy) and upload that.
