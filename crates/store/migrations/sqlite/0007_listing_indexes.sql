-- A supplier's records (in a state) come out newest first straight from the index, without a
-- sort of all its records: the largest suppliers have tens of thousands.
DROP INDEX records_supplier;
CREATE INDEX records_supplier ON records (supplier_id, object, deleted, state, created_at);
