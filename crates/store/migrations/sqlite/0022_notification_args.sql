-- A notification's words for the reader's language: the arguments of its message (a JSON
-- object, e.g. {"record": "SCAR-0001", "label": "Respond"}), worded at read time by its kind.
-- Rows written before have none and show their stored English sentence.
ALTER TABLE notifications ADD COLUMN args TEXT;
