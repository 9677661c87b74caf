-- Signing at the identity provider (SPEC section 11, 21 CFR 11.200): a user who signs in
-- through the company's OpenID provider signs by signing in there again. The round trip is
-- recorded when it starts (who, in which session, for which pending signature, when) and, once
-- the provider confirmed the person, carries a grant: short-lived, used once, bound to that
-- session, user and pending signature. Only hashes of the round trip's and the grant's tokens
-- are stored.
CREATE TABLE signing_grants (
    flow_hash     TEXT PRIMARY KEY,
    token_hash    TEXT UNIQUE,
    session_hash  TEXT NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users (id),
    object        TEXT NOT NULL,
    -- The records signed, sorted, comma-separated (a bulk action signs several at once).
    records       TEXT NOT NULL,
    -- 'action:<name>' or 'task:<id>'.
    signing       TEXT NOT NULL,
    meaning       TEXT NOT NULL,
    started_at    BIGINT NOT NULL,
    confirmed_at  BIGINT,
    expires_at    BIGINT NOT NULL,
    used_at       BIGINT
);
CREATE INDEX signing_grants_user ON signing_grants (user_id);

-- The provider's issuer and subject of a session opened by single sign-on: signing there again
-- must be the same person at the same provider.
ALTER TABLE sessions ADD COLUMN sso_issuer TEXT;
ALTER TABLE sessions ADD COLUMN sso_subject TEXT;
