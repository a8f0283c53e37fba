-- Live chat: web inboxes, contacts and their channel identities, conversations,
-- messages and the conversation timeline.

CREATE TABLE inboxes (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('web')),
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

CREATE TABLE contacts (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL DEFAULT '',
    email         TEXT COLLATE NOCASE,
    phone         TEXT,
    locale        TEXT,
    last_page     TEXT,
    first_seen_at INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX contacts_email ON contacts (email) WHERE email IS NOT NULL;
CREATE INDEX contacts_phone ON contacts (phone) WHERE phone IS NOT NULL;

-- How a contact is recognised on a channel: a widget visitor token (stored as its
-- SHA-256, hex) or a shop's own user id (identified mode).
CREATE TABLE contact_identities (
    id          INTEGER PRIMARY KEY,
    contact_id  INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    inbox_id    INTEGER NOT NULL REFERENCES inboxes (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('visitor', 'user')),
    external_id TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (inbox_id, kind, external_id)
) STRICT;

CREATE INDEX contact_identities_contact ON contact_identities (contact_id);

CREATE TABLE conversations (
    id             INTEGER PRIMARY KEY,
    inbox_id       INTEGER NOT NULL REFERENCES inboxes (id) ON DELETE CASCADE,
    contact_id     INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    status         TEXT NOT NULL
                   CHECK (status IN ('bot', 'queued', 'open', 'pending', 'snoozed', 'resolved')),
    team_id        INTEGER REFERENCES teams (id) ON DELETE SET NULL,
    assignee_id    INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    priority       INTEGER NOT NULL DEFAULT 0,
    snoozed_until  INTEGER,
    -- Since when the customer waits for an answer; NULL when the last word was ours.
    waiting_since  INTEGER,
    agent_unread   INTEGER NOT NULL DEFAULT 0,
    first_reply_at INTEGER,
    resolved_at    INTEGER,
    last_message_at INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
) STRICT;

CREATE INDEX conversations_contact ON conversations (contact_id, inbox_id);
CREATE INDEX conversations_queue ON conversations (status, priority DESC, waiting_since)
    WHERE status = 'queued';
CREATE INDEX conversations_assignee ON conversations (assignee_id, status);
CREATE INDEX conversations_recent ON conversations (last_message_at DESC);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    inbox_id        INTEGER NOT NULL REFERENCES inboxes (id) ON DELETE CASCADE,
    sender_kind     TEXT NOT NULL CHECK (sender_kind IN ('contact', 'agent', 'bot', 'system')),
    sender_agent_id INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    body            TEXT NOT NULL,
    private         INTEGER NOT NULL DEFAULT 0 CHECK (private IN (0, 1)),
    -- The sender's own id for the message (widget client id, email Message-ID…):
    -- a retried send finds the stored message instead of storing it twice.
    external_id     TEXT,
    delivery        TEXT NOT NULL DEFAULT 'sent' CHECK (delivery IN ('sent', 'delivered', 'read')),
    created_at      INTEGER NOT NULL,
    UNIQUE (inbox_id, external_id)
) STRICT;

CREATE INDEX messages_conversation ON messages (conversation_id, id);

-- The timeline: who changed what, when.
CREATE TABLE conversation_events (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    at              INTEGER NOT NULL,
    actor_kind      TEXT NOT NULL CHECK (actor_kind IN ('agent', 'contact', 'system')),
    actor_agent_id  INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    kind            TEXT NOT NULL,
    detail          TEXT NOT NULL DEFAULT '{}'
) STRICT;

CREATE INDEX conversation_events_conversation ON conversation_events (conversation_id, id);

-- Round-robin: the agent assigned longest ago goes next.
ALTER TABLE agents ADD COLUMN last_assigned_at INTEGER NOT NULL DEFAULT 0;
