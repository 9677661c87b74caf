-- SCIM lists in SQL (issue 15): the filters identity providers send run on indexes and pages
-- are cut by the database, instead of every user being read to find one.

-- `externalId eq "…"` (what Entra ID and Okta look users up by). Only users a provider
-- named: the others (those made in Portico) would tell the planner the index is useless.
CREATE INDEX users_external_id ON users (external_id) WHERE external_id IS NOT NULL;
-- The default order of a list (creation), paged; and `active eq true|false` in that order.
CREATE INDEX users_created ON users (created_at, id);
CREATE INDEX users_status_created ON users (status, created_at, id);
-- `sortBy=userName` is served by `users_username_lower` (SQLite's lower() folds ASCII only,
-- the order SCIM lists sort by).

-- When an identity provider last used its token (reads are not each in the audit trail;
-- written at most once a minute).
ALTER TABLE scim_tokens ADD COLUMN last_used_at BIGINT;
