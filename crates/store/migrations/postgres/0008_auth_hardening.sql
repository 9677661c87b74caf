-- Authentication hardening (issue 12): usernames unique whatever their case, one-time passwords
-- that expire and work once, and an outbox that keeps no live secret.

-- `INTERNAL.TWO` and `internal.two` are one name. Portico checks for such clashes before this
-- migration runs and stops with the names to fix, so this index cannot fail half-way.
CREATE UNIQUE INDEX users_username_lower ON users (lower(username));

-- A one-time password (`${userPassword}`) expires like a set-password link, and works for one
-- sign-in only.
ALTER TABLE users ADD COLUMN password_expires_at BIGINT;
ALTER TABLE users ADD COLUMN one_time_used_at BIGINT;

-- Which secrets an email carries (`link`, `password`, comma-separated). The stored body holds a
-- placeholder; the worker makes the secret when it sends the email, so none is ever at rest.
ALTER TABLE outbox ADD COLUMN secrets TEXT;

-- One-time passwords written before this migration are still in the outbox in clear: they
-- stop working (their users ask for a set-password link).
UPDATE users SET password_expires_at = 0 WHERE must_change_password = 1;

-- Set-password links stored in clear before this migration: the stored copy is redacted (the
-- email already sent keeps working).
UPDATE outbox SET body = regexp_replace(body, 'set-password\?token=[0-9a-f]{64}', 'set-password (link redacted)', 'g'),
                  html = regexp_replace(html, 'set-password\?token=[0-9a-f]{64}', 'set-password (link redacted)', 'g')
 WHERE body LIKE '%set-password?token=%' OR html LIKE '%set-password?token=%';
