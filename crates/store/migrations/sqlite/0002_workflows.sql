-- Workflows: task responses on behalf, checklists, in-app notifications.

ALTER TABLE tasks ADD COLUMN on_behalf_by TEXT;

CREATE TABLE checklists (
    id                  TEXT PRIMARY KEY,
    record_id           TEXT NOT NULL REFERENCES records (id),
    name                TEXT NOT NULL,
    assignee_person_id  TEXT REFERENCES persons (id),
    status              TEXT NOT NULL CHECK (status IN ('open', 'completed')),
    created_at          BIGINT NOT NULL,
    created_by          TEXT NOT NULL,
    completed_at        BIGINT,
    completed_by        TEXT
);
CREATE INDEX checklists_record ON checklists (record_id, status);
CREATE INDEX checklists_assignee ON checklists (assignee_person_id, status);

CREATE TABLE checklist_items (
    checklist_id  TEXT NOT NULL REFERENCES checklists (id),
    position      BIGINT NOT NULL,
    question      TEXT NOT NULL,
    answer        TEXT,
    PRIMARY KEY (checklist_id, position)
);

CREATE TABLE notifications (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id),
    kind        TEXT NOT NULL,
    message     TEXT NOT NULL,
    object      TEXT,
    record_id   TEXT,
    created_at  BIGINT NOT NULL,
    read_at     BIGINT
);
CREATE INDEX notifications_user ON notifications (user_id, created_at);
