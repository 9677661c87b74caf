-- External seats as one row each (issue 14, item 6): the pool's single counter row was written
-- by every activation and inactivation of every server, so those writes passed it one at a
-- time. Now an activation claims a free slot, an inactivation clears its own slot, and the
-- counts are counted. (SQLite has one writer anyway; the schema is the same as PostgreSQL's.)
-- holder is the active external user on the seat; UNIQUE: nobody holds two.
CREATE TABLE license_seats (
    slot    INTEGER PRIMARY KEY,
    holder  TEXT UNIQUE REFERENCES users (id)
);
-- The free slots, for the claim and for "is a seat free?" (the waitlist's check).
CREATE INDEX license_seats_free ON license_seats (slot) WHERE holder IS NULL;
WITH RECURSIVE g(n) AS (
    SELECT 1 WHERE EXISTS (SELECT 1 FROM license_pool WHERE id = 1 AND seats >= 1)
    UNION ALL
    SELECT n + 1 FROM g WHERE n < (SELECT seats FROM license_pool WHERE id = 1)
)
INSERT INTO license_seats (slot) SELECT n FROM g;
UPDATE license_seats SET holder = a.id
    FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM users
          WHERE status = 'active' AND license = 'external') a
    WHERE a.n = license_seats.slot;

-- The seat history's changes, appended (never updated): the day's line of seat_history was a
-- second row every seat change wrote. delta: seats taken (+) or freed (-); seats: the pool's
-- new size when it changed. Lines of seat_history written before stay as they were; the days
-- since are read from here (Db::seat_history). The first change is the pool as it is now.
CREATE TABLE seat_changes (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    day    BIGINT NOT NULL,
    delta  BIGINT NOT NULL,
    seats  BIGINT
);
CREATE INDEX seat_changes_day ON seat_changes (day);
INSERT INTO seat_changes (day, delta, seats)
    SELECT CAST(strftime('%s', 'now') AS INTEGER) / 86400,
           (SELECT COUNT(*) FROM license_seats WHERE holder IS NOT NULL), seats
    FROM license_pool WHERE id = 1;

DROP TABLE license_pool;
