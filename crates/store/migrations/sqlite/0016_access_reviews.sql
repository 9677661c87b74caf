-- Access reviews (issue 17, SPEC section 11 "Guest governance"): an administrator opens a
-- review; each active external user (of one organization, or all) becomes an item its sponsors
-- decide (keep or remove, with a reason); at the due date undecided items take the default.

CREATE TABLE access_reviews (
    id                TEXT PRIMARY KEY,
    -- The organization reviewed; none: every active external user.
    organization_id   TEXT,
    opened_by         TEXT NOT NULL,
    opened_at         BIGINT NOT NULL,
    -- YYYY-MM-DD (UTC), compared as text: on that day undecided items take the default.
    due_date          TEXT NOT NULL,
    default_decision  TEXT NOT NULL CHECK (default_decision IN ('keep', 'remove')),
    -- When the sponsors of undecided items were reminded (once per review).
    reminded_at       BIGINT,
    -- When the last item was decided (by a person or by the default).
    closed_at         BIGINT
);
CREATE INDEX access_reviews_open ON access_reviews (closed_at, due_date);

CREATE TABLE access_review_items (
    id                TEXT PRIMARY KEY,
    review_id         TEXT NOT NULL REFERENCES access_reviews (id),
    user_id           TEXT NOT NULL REFERENCES users (id),
    -- The user's organization when the review was opened (evidence keeps what was reviewed).
    organization_id   TEXT,
    decision          TEXT CHECK (decision IN ('keep', 'remove')),
    reason            TEXT,
    -- Who decided; none when the default was taken at the due date.
    decided_by        TEXT,
    decided_at        BIGINT,
    by_default        BIGINT NOT NULL DEFAULT 0,
    UNIQUE (review_id, user_id)
);
CREATE INDEX access_review_items_open ON access_review_items (review_id, decided_at);

-- The sponsors of an item: the internal users who sponsored the user's Active access when the
-- review was opened. Each of them (or an administrator) may decide it.
CREATE TABLE access_review_sponsors (
    item_id   TEXT NOT NULL REFERENCES access_review_items (id),
    user_id   TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (item_id, user_id)
);
CREATE INDEX access_review_sponsors_user ON access_review_sponsors (user_id);
