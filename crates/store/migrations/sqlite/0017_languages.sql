-- Languages (SPEC section 11): an administrator's email text per (template, language), and a
-- person's own time zone for the dates it reads.

CREATE TABLE notification_templates_by_language (
    name        TEXT NOT NULL,
    language    TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    html        TEXT,
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT NOT NULL,
    PRIMARY KEY (name, language)
);
-- The texts saved before languages were English.
INSERT INTO notification_templates_by_language (name, language, subject, body, html, updated_at, updated_by)
    SELECT name, 'en', subject, body, html, updated_at, updated_by FROM notification_templates;
DROP TABLE notification_templates;
ALTER TABLE notification_templates_by_language RENAME TO notification_templates;

-- An IANA zone name ("Europe/Berlin"); NULL: the company's (`[user_template] timezone`).
ALTER TABLE persons ADD COLUMN timezone TEXT;

-- The language an internal user chose on its own page; NULL: its browser's (Accept-Language).
ALTER TABLE users ADD COLUMN page_language TEXT;
