-- Email delivery: HTML bodies, claims so that one worker sends each email, template overrides,
-- one-time passwords that must be changed.

ALTER TABLE outbox ADD COLUMN html TEXT;
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claimed_until BIGINT;
ALTER TABLE outbox ADD COLUMN sent_by TEXT;

-- Templates an administrator changed; the others come from the configuration.
CREATE TABLE notification_templates (
    name        TEXT PRIMARY KEY,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    html        TEXT,
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT NOT NULL
);

ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;
