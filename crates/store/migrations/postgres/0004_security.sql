-- Tamper evidence for the audit trail, and login rate limits.

-- Each entry carries the hash of the one before; the head row holds the last hash. Appending
-- updates the head, which also makes concurrent writers append one after the other.
ALTER TABLE audit_trail ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_trail ADD COLUMN hash TEXT;
CREATE TABLE audit_head (
    id    BIGINT PRIMARY KEY CHECK (id = 1),
    hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, hash) VALUES (1, 'genesis');
CREATE INDEX audit_at ON audit_trail (at);

-- Failed sign-ins per user and per address in the current window.
CREATE TABLE login_failures (
    key           TEXT PRIMARY KEY,
    window_start  BIGINT NOT NULL,
    failures      BIGINT NOT NULL
);
