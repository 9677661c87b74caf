-- The audit chain without a lock on the write path (issue 14): a write appends its entries
-- unsealed (no hash yet); one sealer at a time chains the committed ones after the fact, each
-- getting its place in the chain (`chain_seq`) as it is sealed. Until now every write locked the
-- one head row to extend the chain, so all writers of all servers queued at commit.

-- Entries written so far were chained in `seq` order: their place in the chain is their seq.
ALTER TABLE audit_trail ADD COLUMN chain_seq BIGINT;
UPDATE audit_trail SET chain_seq = seq;
CREATE UNIQUE INDEX audit_chain ON audit_trail (chain_seq);
-- What the sealer has still to do, found without reading the sealed trail.
CREATE INDEX audit_unsealed ON audit_trail (seq) WHERE chain_seq IS NULL;

-- The head: the last sealed entry's hash and place.
ALTER TABLE audit_head ADD COLUMN chain_seq BIGINT NOT NULL DEFAULT 0;
UPDATE audit_head SET chain_seq = (SELECT COALESCE(MAX(seq), 0) FROM audit_trail);
