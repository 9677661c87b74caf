-- Signed audit checkpoints (issue 16): the chain's head at a place, signed with an Ed25519 key
-- kept outside the database. A writer of the database can recompute every hash after an entry
-- it changed, but cannot sign: a checkpoint kept elsewhere (emailed, written to a file) then
-- no longer matches. Each checkpoint also keeps the hashes of the entries it covers since the
-- one before (their SHA-256 is signed too), so that a rewrite is traced to its entry.
CREATE TABLE audit_checkpoints (
    seq             BIGINT PRIMARY KEY,   -- the place in the chain it covers up to
    previous        BIGINT NOT NULL,      -- the place of the checkpoint before (0: none)
    head            TEXT NOT NULL,        -- the chain's hash at seq
    at              TEXT NOT NULL,        -- RFC 3339, as signed
    at_ms           BIGINT NOT NULL,
    key_id          TEXT NOT NULL,
    entries_sha256  TEXT NOT NULL,        -- SHA-256 over the hashes below, as signed
    hashes          TEXT NOT NULL,        -- the hashes of the entries previous+1 ..= seq, in order
    signature       TEXT NOT NULL
);

-- When the next scheduled checkpoint is due: one row, claimed by a conditional UPDATE, so
-- that of several servers exactly one makes it.
CREATE TABLE audit_checkpoint_schedule (
    id       BIGINT PRIMARY KEY,
    next_at  BIGINT NOT NULL
);
INSERT INTO audit_checkpoint_schedule (id, next_at) VALUES (1, 0);
