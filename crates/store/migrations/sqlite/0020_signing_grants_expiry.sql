-- Expired signing round trips and grants are purged by the scheduler: by their expiry.
CREATE INDEX signing_grants_expiry ON signing_grants (expires_at);
