-- The extranet: comments on records, and tickets (support or service requests).

CREATE TABLE comments (
    id          TEXT PRIMARY KEY,
    record_id   TEXT NOT NULL REFERENCES records (id),
    author_id   TEXT NOT NULL REFERENCES users (id),
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX comments_record ON comments (record_id, created_at);

CREATE TABLE tickets (
    id           TEXT PRIMARY KEY,
    author_id    TEXT NOT NULL REFERENCES users (id),
    kind         TEXT NOT NULL CHECK (kind IN ('support', 'service')),
    subject      TEXT NOT NULL,
    body         TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('open', 'answered')),
    answer       TEXT,
    answered_by  TEXT,
    created_at   BIGINT NOT NULL,
    answered_at  BIGINT
);
CREATE INDEX tickets_author ON tickets (author_id, created_at);
CREATE INDEX tickets_status ON tickets (status, created_at);
