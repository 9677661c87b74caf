-- A list of records comes out in its whole order (newest first, then id) straight from the
-- index, and stops after its page. Ending at created_at, the indexes left the database to fetch
-- every matching record for its id and sort them all before taking a page: for the largest
-- seeded supplier's closed records, 2 ms a page instead of 30 µs (SQLite, 100 000 records).
DROP INDEX records_supplier;
CREATE INDEX records_supplier ON records (supplier_id, object, deleted, state, created_at, id);
DROP INDEX records_object;
CREATE INDEX records_object ON records (object, deleted, created_at, id);
