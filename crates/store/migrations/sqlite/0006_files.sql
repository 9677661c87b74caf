-- Files and photos on records; the bytes live on disk under their SHA-256.
CREATE TABLE files (
    id            TEXT PRIMARY KEY,
    record_id     TEXT NOT NULL REFERENCES records (id),
    uploader_id   TEXT NOT NULL REFERENCES users (id),
    name          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX files_record ON files (record_id, created_at);
