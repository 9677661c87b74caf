-- A record's collaborators, in order, kept in its own row as well (person ids joined by ','),
-- so that reading a record or a page of records reads no second table: the subquery over
-- record_collaborators per record was a third of PostgreSQL's CPU time for a record read
-- and more for a page (README "Scale-out and capacity"). record_collaborators stays, for the
-- lookups by person; the store writes both in the same transaction.
ALTER TABLE records ADD COLUMN collaborators TEXT;
UPDATE records SET collaborators = (
    SELECT string_agg(c.person_id, ',' ORDER BY c.position)
    FROM record_collaborators c WHERE c.record_id = records.id
);
