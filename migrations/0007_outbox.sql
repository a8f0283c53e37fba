-- Everything that leaves kefu by email goes through this table. A row is written in
-- the same transaction as the change that caused it (a reply, a new ticket, an
-- invite), so a mail is never promised without being recorded, and a worker
-- delivers it afterwards with retries.

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    -- Which template made it: ticket_created, public_reply, agent_invite…
    template        TEXT NOT NULL,
    -- The RFC 5322 Message-ID, without <>. Fixed when the row is written, so a retry
    -- after a crash sends the same message again, which mail clients show once.
    message_id      TEXT NOT NULL UNIQUE,
    to_name         TEXT,
    to_email        TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT,
    -- JSON: in_reply_to, references, reply_to, auto_submitted, attachments.
    headers         TEXT NOT NULL DEFAULT '{}',
    status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    -- The SMTP server's own words for the last failure (or why nothing was tried).
    last_error      TEXT,
    -- The server's reply when it took the message.
    smtp_reply      TEXT,
    -- What the mail is about, so its delivery state shows there:
    -- "message:<id>", "ticket_event:<id>", "invite:<id>", "agent:<id>"…
    about           TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
) STRICT;

CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'queued';
CREATE INDEX outbox_about ON outbox (about) WHERE about IS NOT NULL;
