-- Electronic signatures (SPEC section 11, 21 CFR Part 11): who signed which record, with which
-- meaning, when, for which action or task, and the SHA-256 of the record as signed. Written in
-- the transaction of the change it signs. A signature is never changed or deleted (11.70): the
-- triggers below refuse it even to a database writer who goes around Portico, so a signature
-- cannot be edited, removed, or moved to another record.
CREATE TABLE signatures (
    id            TEXT PRIMARY KEY,
    record_id     TEXT NOT NULL REFERENCES records (id),
    object        TEXT NOT NULL,
    signer_id     TEXT NOT NULL REFERENCES users (id),
    printed_name  TEXT NOT NULL,
    meaning       TEXT NOT NULL,
    -- RFC 3339 with its offset, as shown; always UTC, so text order is time order.
    signed_at     TEXT NOT NULL,
    action        TEXT,
    task_id       TEXT REFERENCES tasks (id),
    record_hash   TEXT NOT NULL,
    CHECK ((action IS NULL) <> (task_id IS NULL))
);
CREATE INDEX signatures_record ON signatures (record_id, signed_at);

CREATE TRIGGER signatures_are_never_changed BEFORE UPDATE ON signatures
BEGIN
    SELECT RAISE(ABORT, 'signatures cannot be changed or deleted (21 CFR 11.70)');
END;

CREATE TRIGGER signatures_are_never_deleted BEFORE DELETE ON signatures
BEGIN
    SELECT RAISE(ABORT, 'signatures cannot be changed or deleted (21 CFR 11.70)');
END;
