-- SCIM 2.0 provisioning (issue 15): bearer tokens of identity providers, and what SCIM keeps
-- of a user beyond Portico's own fields.

-- One row per identity provider's token; only the SHA-256 of the token is kept (it is shown
-- once). A revoked token stays for the audit trail, which names it.
CREATE TABLE scim_tokens (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    created_by  TEXT,
    revoked_at  BIGINT
);

-- The identity provider's own id of the user (`externalId`), when it sent one.
ALTER TABLE users ADD COLUMN external_id TEXT;
-- The last change made over SCIM (`meta.lastModified`; creation when none).
ALTER TABLE users ADD COLUMN updated_at BIGINT;
-- A user deleted over SCIM: inactive, gone for SCIM (404), kept for the records and the audit
-- trail that name it.
ALTER TABLE users ADD COLUMN scim_deleted_at BIGINT;
