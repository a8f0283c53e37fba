-- Conversations by email: the widget's "answer me by email" and mail threads that
-- become conversations. Two CHECK constraints grow, which SQLite can only do by
-- rebuilding the table (the runner turns foreign keys off around migrations and
-- checks them before committing).

-- An inbox may now be the shop's mailbox, not only a widget.
CREATE TABLE inboxes_new (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('web', 'email')),
    name            TEXT NOT NULL,
    -- In the snippet on the shop's page: identifies the inbox, grants nothing else.
    public_token    TEXT NOT NULL UNIQUE,
    -- Key of the HMAC that proves a shop's logged-in customer (identified mode).
    secret          TEXT NOT NULL,
    greeting        TEXT NOT NULL DEFAULT '',
    color           TEXT NOT NULL DEFAULT '#0f766e',
    default_team_id INTEGER REFERENCES teams (id) ON DELETE SET NULL,
    -- JSON array of origins allowed to embed the widget; empty allows any.
    allowed_origins TEXT NOT NULL DEFAULT '[]',
    -- JSON object: name/email/phone → off | optional | required.
    prechat         TEXT NOT NULL DEFAULT '{}',
    offline_message TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;
INSERT INTO inboxes_new SELECT * FROM inboxes;
DROP TABLE inboxes;
ALTER TABLE inboxes_new RENAME TO inboxes;

-- A received mail may also be a message in a conversation.
CREATE TABLE inbound_mail_new (
    id              INTEGER PRIMARY KEY,
    uid_validity    INTEGER NOT NULL,
    uid             INTEGER NOT NULL,
    message_id      TEXT,
    from_email      TEXT,
    subject         TEXT NOT NULL DEFAULT '',
    size            INTEGER NOT NULL,
    -- NULL only when the mail was too large to fetch.
    raw             BLOB,
    outcome         TEXT NOT NULL CHECK (outcome IN ('new_ticket', 'ticket_reply', 'new_conversation',
                    'conversation_reply', 'duplicate', 'own', 'ignored', 'rejected', 'too_large')),
    -- Why: auto_reply, bounce, bulk, not_a_mail, no_sender, not_participant…
    reason          TEXT,
    ticket_id       INTEGER REFERENCES tickets (id) ON DELETE SET NULL,
    received_at     INTEGER NOT NULL,
    conversation_id INTEGER REFERENCES conversations (id) ON DELETE SET NULL,
    UNIQUE (uid_validity, uid)
) STRICT;
INSERT INTO inbound_mail_new (id, uid_validity, uid, message_id, from_email, subject, size, raw, outcome, reason,
                              ticket_id, received_at)
    SELECT id, uid_validity, uid, message_id, from_email, subject, size, raw, outcome, reason, ticket_id, received_at
    FROM inbound_mail;
DROP TABLE inbound_mail;
ALTER TABLE inbound_mail_new RENAME TO inbound_mail;
CREATE INDEX inbound_mail_message_id ON inbound_mail (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX inbound_mail_recent ON inbound_mail (id DESC);

-- A conversation's mail thread, made when we first email the customer: the token
-- in our Message-IDs and Reply-To, and the thread's latest Message-IDs.
ALTER TABLE conversations ADD COLUMN thread_token TEXT;
ALTER TABLE conversations ADD COLUMN mail_references TEXT NOT NULL DEFAULT '[]';
CREATE UNIQUE INDEX conversations_thread_token ON conversations (thread_token) WHERE thread_token IS NOT NULL;

-- How a message arrived when not by its inbox's own channel: 'email' for a mail
-- answering a chat.
ALTER TABLE messages ADD COLUMN via TEXT CHECK (via IN ('email'));
