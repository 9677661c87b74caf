-- SCIM lists in SQL (issue 15): the filters identity providers send run on indexes and pages
-- are cut by the database, instead of every user being read to find one.

-- `externalId eq "…"` (what Entra ID and Okta look users up by). Only users a provider
-- named: the others (those made in Portico) would tell the planner the index is useless.
CREATE INDEX users_external_id ON users (external_id) WHERE external_id IS NOT NULL;
-- The default order of a list (creation), paged; and `active eq true|false` in that order.
CREATE INDEX users_created ON users (created_at, id);
CREATE INDEX users_status_created ON users (status, created_at, id);
-- `sortBy=userName`: usernames folded to lower case in ASCII only and compared byte by byte,
-- as SCIM lists sort (the same order on SQLite, whatever the database's locale).
CREATE INDEX users_username_sort ON users ((lower(username COLLATE "C")));

-- When an identity provider last used its token (reads are not each in the audit trail;
-- written at most once a minute).
ALTER TABLE scim_tokens ADD COLUMN last_used_at BIGINT;
