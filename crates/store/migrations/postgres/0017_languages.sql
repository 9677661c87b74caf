-- Languages (SPEC section 11): an administrator's email text per (template, language), and a
-- person's own time zone for the dates it reads.

-- The texts saved before languages were English.
ALTER TABLE notification_templates ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE notification_templates ALTER COLUMN language DROP DEFAULT;
ALTER TABLE notification_templates DROP CONSTRAINT notification_templates_pkey;
ALTER TABLE notification_templates ADD PRIMARY KEY (name, language);

-- An IANA zone name ("Europe/Berlin"); NULL: the company's (`[user_template] timezone`).
ALTER TABLE persons ADD COLUMN timezone TEXT;

-- The language an internal user chose on its own page; NULL: its browser's (Accept-Language).
ALTER TABLE users ADD COLUMN page_language TEXT;
