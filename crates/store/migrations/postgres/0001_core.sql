-- Portico core schema (PostgreSQL). Never edit a migration that has shipped: add a new one.
-- Flags are BIGINT 0/1 and times are BIGINT milliseconds since the epoch, the same on both
-- backends, so one set of queries serves SQLite and PostgreSQL.

CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'active__v',
    created_at  BIGINT NOT NULL
);
CREATE INDEX organizations_name ON organizations (name);

CREATE TABLE users (
    id                TEXT PRIMARY KEY,
    username          TEXT NOT NULL UNIQUE,
    first_name        TEXT NOT NULL,
    last_name         TEXT NOT NULL,
    email             TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('active', 'inactive')),
    license           TEXT NOT NULL CHECK (license IN ('full', 'external')),
    security_profile  TEXT NOT NULL,
    managed           BIGINT NOT NULL DEFAULT 0,
    person_id         TEXT UNIQUE,
    language          TEXT NOT NULL DEFAULT 'en',
    password_hash     TEXT,
    created_at        BIGINT NOT NULL
);
-- The exact-details match of C2 step 1.
CREATE INDEX users_email ON users (email, first_name, last_name);

CREATE TABLE persons (
    id               TEXT PRIMARY KEY,
    first_name       TEXT NOT NULL,
    last_name        TEXT NOT NULL,
    email            TEXT NOT NULL,
    organization_id  TEXT REFERENCES organizations (id),
    language         TEXT NOT NULL DEFAULT 'en',
    user_id          TEXT UNIQUE REFERENCES users (id),
    created_at       BIGINT NOT NULL
);
CREATE INDEX persons_organization ON persons (organization_id);

-- One row; the conditional UPDATE on it is the seat check of every path (SPEC section 3).
CREATE TABLE license_pool (
    id      BIGINT PRIMARY KEY CHECK (id = 1),
    seats   BIGINT NOT NULL,
    active  BIGINT NOT NULL CHECK (active >= 0),
    CHECK (active <= seats)
);

CREATE TABLE records (
    id           TEXT PRIMARY KEY,
    object       TEXT NOT NULL,
    object_type  TEXT NOT NULL,
    name         TEXT NOT NULL,
    state        TEXT NOT NULL,
    supplier_id  TEXT REFERENCES organizations (id),
    created_by   TEXT NOT NULL REFERENCES users (id),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    deleted      BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX records_object ON records (object, deleted, created_at);
CREATE INDEX records_supplier ON records (supplier_id, object, state);

CREATE TABLE record_collaborators (
    record_id  TEXT NOT NULL REFERENCES records (id),
    person_id  TEXT NOT NULL REFERENCES persons (id),
    position   BIGINT NOT NULL,
    PRIMARY KEY (record_id, person_id)
);
CREATE INDEX record_collaborators_person ON record_collaborators (person_id);

-- Sharing settings: the External Collaborator application role on one record.
CREATE TABLE sharing (
    record_id   TEXT NOT NULL REFERENCES records (id),
    role        TEXT NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id),
    granted_at  BIGINT NOT NULL,
    granted_by  TEXT,
    PRIMARY KEY (record_id, role, user_id)
);
CREATE INDEX sharing_user ON sharing (user_id, record_id);

CREATE TABLE assignments (
    id              TEXT PRIMARY KEY,
    object          TEXT NOT NULL,
    record_id       TEXT NOT NULL REFERENCES records (id),
    person_id       TEXT NOT NULL REFERENCES persons (id),
    user_id         TEXT NOT NULL REFERENCES users (id),
    activity        TEXT NOT NULL CHECK (activity IN ('active', 'inactive')),
    activated_at    BIGINT NOT NULL,
    inactivated_at  BIGINT
);
-- "Has this user any other Active assignment?" (C3) is answered from this index alone.
CREATE INDEX assignments_user_activity ON assignments (user_id, activity, record_id);
CREATE INDEX assignments_record ON assignments (record_id, activity);
CREATE INDEX assignments_person ON assignments (person_id, activity);
CREATE UNIQUE INDEX assignments_one_active ON assignments (record_id, person_id) WHERE activity = 'active';

CREATE TABLE tasks (
    id            TEXT PRIMARY KEY,
    record_id     TEXT NOT NULL REFERENCES records (id),
    assignee_id   TEXT NOT NULL REFERENCES users (id),
    person_id     TEXT REFERENCES persons (id),
    state         TEXT NOT NULL,
    label         TEXT NOT NULL,
    instructions  TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('open', 'completed', 'cancelled')),
    response      TEXT,
    due_at        BIGINT,
    created_at    BIGINT NOT NULL,
    closed_at     BIGINT,
    closed_by     TEXT
);
CREATE INDEX tasks_record ON tasks (record_id, status);
CREATE INDEX tasks_assignee ON tasks (assignee_id, status);

-- The transactional outbox (SPEC section 4): written with the change that caused it.
CREATE TABLE outbox (
    id               TEXT PRIMARY KEY,
    to_address       TEXT NOT NULL,
    user_id          TEXT,
    record_id        TEXT,
    template         TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    last_error       TEXT,
    next_attempt_at  BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    sent_at          BIGINT
);
CREATE INDEX outbox_status ON outbox (status, next_attempt_at);
CREATE INDEX outbox_to ON outbox (to_address);

CREATE TABLE audit_trail (
    seq         BIGSERIAL PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor_id    TEXT,
    action      TEXT NOT NULL,
    object      TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    record_id   TEXT,
    person_id   TEXT,
    user_id     TEXT,
    before_json TEXT,
    after_json  TEXT,
    cause       TEXT
);
CREATE INDEX audit_record ON audit_trail (record_id, seq);
CREATE INDEX audit_user ON audit_trail (user_id, seq);
CREATE INDEX audit_person ON audit_trail (person_id, seq);
CREATE INDEX audit_action ON audit_trail (action, seq);

-- Sessions live in the database so that any server can serve any request (SPEC section 8).
CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id),
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Single-use links to set a password (the Welcome email's ${utp?url}).
CREATE TABLE password_tokens (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX password_tokens_user ON password_tokens (user_id);
