-- Images in chat. Files live on disk under <data>/attachments/, named by their
-- SHA-256; this table says who uploaded what and how to serve it.

CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY,
    -- In the URL: unguessable, so knowing one image's address reveals no other.
    token       TEXT NOT NULL UNIQUE,
    sha256      TEXT NOT NULL,
    mime        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    -- Exactly one uploader: a customer or an agent. Only they may attach it.
    contact_id  INTEGER REFERENCES contacts (id) ON DELETE CASCADE,
    agent_id    INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL
) STRICT;

ALTER TABLE messages ADD COLUMN attachment_id INTEGER REFERENCES attachments (id);
