-- Guest governance (issue 17, SPEC section 11): sponsors, end dates, scheduled work.

-- Every assignment names its sponsor: the internal user whose action granted the access.
-- Assignments opened before this migration get the user who granted the record's role.
ALTER TABLE assignments ADD COLUMN sponsor_id TEXT;
UPDATE assignments SET sponsor_id = (
    SELECT s.granted_by FROM sharing s
    WHERE s.record_id = assignments.record_id AND s.user_id = assignments.user_id
      AND s.role = 'external_collaborator__v');
-- "Whose access did this sponsor grant?" (a sponsor inactivated: its externals to re-sponsor).
CREATE INDEX assignments_sponsor ON assignments (sponsor_id, activity);

-- access_end_date__v: a date (YYYY-MM-DD, compared as text); past it, access ends (C3).
-- end_reminded_for: the end date whose reminder was sent, so each date is reminded once and a
-- new date is reminded again.
ALTER TABLE records ADD COLUMN access_end_date TEXT;
ALTER TABLE records ADD COLUMN end_reminded_for TEXT;
CREATE INDEX records_access_end ON records (access_end_date) WHERE access_end_date IS NOT NULL;

-- Scheduled work, claimed in the database so that one server runs each job at a time: a claim
-- is a lease (claimed_until); a claimant killed without giving it back loses it when it
-- expires, as the outbox's claims do.
CREATE TABLE jobs (
    name           TEXT PRIMARY KEY,
    due_at         BIGINT NOT NULL,
    claimed_by     TEXT,
    claimed_until  BIGINT,
    last_run_at    BIGINT
);

-- Seat history (GET /api/v1/licenses/history): per day (days since the epoch, UTC) the seats in
-- use after the day's last change, the most in use that day, and the pool's size. Written in the
-- transaction that changes the pool, right after its row, so it is exact and its lock comes
-- after the pool's in every writer.
CREATE TABLE seat_history (
    day     BIGINT PRIMARY KEY,
    active  BIGINT NOT NULL,
    peak    BIGINT NOT NULL,
    seats   BIGINT NOT NULL
);
