-- The email inbox: what was fetched from the shop's mailbox and where reading stands.

-- An email attachment keeps the name the customer gave it.
ALTER TABLE attachments ADD COLUMN filename TEXT;

-- Every mail fetched, as it came (the original is kept), and what became of it.
CREATE TABLE inbound_mail (
    id           INTEGER PRIMARY KEY,
    uid_validity INTEGER NOT NULL,
    uid          INTEGER NOT NULL,
    message_id   TEXT,
    from_email   TEXT,
    subject      TEXT NOT NULL DEFAULT '',
    size         INTEGER NOT NULL,
    -- NULL only when the mail was too large to fetch.
    raw          BLOB,
    outcome      TEXT NOT NULL CHECK (outcome IN ('new_ticket', 'ticket_reply', 'duplicate', 'own', 'ignored',
                 'rejected', 'too_large')),
    -- Why: auto_reply, bounce, bulk, not_a_mail, no_sender, not_participant…
    reason       TEXT,
    ticket_id    INTEGER REFERENCES tickets (id) ON DELETE SET NULL,
    received_at  INTEGER NOT NULL,
    UNIQUE (uid_validity, uid)
) STRICT;

CREATE INDEX inbound_mail_message_id ON inbound_mail (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX inbound_mail_recent ON inbound_mail (id DESC);

-- Where reading the mailbox stands: a row per mailbox (one for now).
CREATE TABLE mailbox_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    uid_validity    INTEGER,
    last_uid        INTEGER NOT NULL DEFAULT 0,
    last_ok_at      INTEGER,
    last_error_code TEXT,
    last_error      TEXT,
    last_error_at   INTEGER
) STRICT;
