-- Every active external user holds a seat slot, and the pool's size is one row (issue 14).
--
-- 0021 gave slots to at most `seats` active external users, in id order: one beyond them
-- (a pool already over its seats) had none, and freeing that user's seat failed. Such users
-- now get a free slot, else a new one; a pool that grew so is then padded with free slots to
-- the smallest bundle that holds them (seats are sold in bundles: 10, 20, 50, 100, 200, 300,
-- then multiples of 100), so that active <= seats holds again. The seat history notes the
-- change; an administrator may lower the seats again once enough users have left.
UPDATE license_seats AS s SET holder = a.id
    FROM (SELECT u.id, ROW_NUMBER() OVER (ORDER BY u.id) AS n FROM users u
          WHERE u.status = 'active' AND u.license = 'external'
            AND NOT EXISTS (SELECT 1 FROM license_seats h WHERE h.holder = u.id)) a,
         (SELECT slot, ROW_NUMBER() OVER (ORDER BY slot) AS n FROM license_seats
          WHERE holder IS NULL) f
    WHERE f.slot = s.slot AND f.n = a.n;
INSERT INTO license_seats (slot, holder)
    SELECT (SELECT COALESCE(MAX(slot), 0) FROM license_seats)
           + ROW_NUMBER() OVER (ORDER BY u.id), u.id
    FROM users u
    WHERE u.status = 'active' AND u.license = 'external'
      AND NOT EXISTS (SELECT 1 FROM license_seats h WHERE h.holder = u.id);
WITH RECURSIVE m(top, n) AS (SELECT COALESCE(MAX(slot), 0), COUNT(*) FROM license_seats),
    want(k) AS (SELECT CASE WHEN n = 0 THEN 0 ELSE CASE WHEN n <= 10 THEN 10 WHEN n <= 20 THEN 20 WHEN n <= 50 THEN 50
                   WHEN n <= 100 THEN 100 WHEN n <= 200 THEN 200 WHEN n <= 300 THEN 300
                   ELSE ((n + 99) / 100) * 100 END - n END FROM m),
    g(i) AS (SELECT 1 WHERE (SELECT k FROM want) >= 1
             UNION ALL SELECT i + 1 FROM g WHERE i < (SELECT k FROM want))
INSERT INTO license_seats (slot) SELECT (SELECT top FROM m) + i FROM g;

-- The pool's size, written only by a change of the size (under its advisory lock): an action
-- reads it with the free slots it may need instead of counting every slot.
CREATE TABLE license_size (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    seats  BIGINT NOT NULL
);
INSERT INTO license_size (id, seats)
    SELECT 1, n FROM (SELECT COUNT(*) AS n FROM license_seats) c WHERE n > 0;

-- The history's running sum brought to the seats held, with the size, when the above changed
-- either.
INSERT INTO seat_changes (day, delta, seats)
    SELECT CAST(strftime('%s', 'now') AS INTEGER) / 86400,
           (SELECT COUNT(holder) FROM license_seats)
             - (SELECT COALESCE(SUM(delta), 0) FROM seat_changes),
           (SELECT seats FROM license_size)
    WHERE EXISTS (SELECT 1 FROM license_size)
      AND ((SELECT COUNT(holder) FROM license_seats)
             <> (SELECT COALESCE(SUM(delta), 0) FROM seat_changes)
           OR (SELECT seats FROM license_size) IS NOT
              (SELECT seats FROM seat_changes WHERE seats IS NOT NULL ORDER BY id DESC LIMIT 1));
