-- License waitlist (issue 17, SPEC section 11 "Guest governance"): on a type configured with
-- when_no_seat = "queue", an activation that finds no free external seat leaves its collaborator
-- waiting here; the first seat that frees goes to the oldest entry (seq order), in the
-- transaction that frees it. One entry per person and record; requested_by is whoever ran the
-- action that queued it (told when the seat is given, and the sponsor of the access).
CREATE TABLE waitlist (
    seq           BIGSERIAL PRIMARY KEY,
    record_id     TEXT NOT NULL REFERENCES records(id),
    object        TEXT NOT NULL,
    person_id     TEXT NOT NULL REFERENCES persons(id),
    requested_by  TEXT NOT NULL REFERENCES users(id),
    queued_at     BIGINT NOT NULL
);
CREATE UNIQUE INDEX waitlist_record_person ON waitlist (record_id, person_id);
