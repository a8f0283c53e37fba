-- Tickets: work that outlives a chat, often across departments, with a timeline
-- and a public status page for the customer.

-- The shop's own list of ticket types (退款 refund, 物流 logistics…).
CREATE TABLE ticket_types (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL COLLATE NOCASE UNIQUE,
    position   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE tickets (
    id                INTEGER PRIMARY KEY,
    -- What people say: #1001, #1002… (assigned by the single writer, so no gaps race).
    number            INTEGER NOT NULL UNIQUE,
    subject           TEXT NOT NULL,
    -- The customer's request, as they or the agent wrote it.
    request           TEXT NOT NULL DEFAULT '',
    type_id           INTEGER REFERENCES ticket_types (id) ON DELETE SET NULL,
    priority          TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    status            TEXT NOT NULL DEFAULT 'new'
                      CHECK (status IN ('new', 'open', 'pending', 'on_hold', 'solved', 'closed')),
    team_id           INTEGER REFERENCES teams (id) ON DELETE SET NULL,
    assignee_id       INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    contact_id        INTEGER NOT NULL REFERENCES contacts (id),
    order_ref         TEXT,
    due_at            INTEGER,
    -- The customer's status page: /s/<public_token>. Unguessable, no login.
    public_token      TEXT NOT NULL UNIQUE,
    -- Put into the Message-ID of every mail about this ticket, so a reply finds it.
    thread_token      TEXT NOT NULL UNIQUE,
    -- Message-IDs of the mail thread (ours and the customer's), oldest first, JSON.
    mail_references   TEXT NOT NULL DEFAULT '[]',
    -- The customer's language for mail and the status page.
    locale            TEXT NOT NULL CHECK (locale IN ('en', 'zh-CN')),
    source            TEXT NOT NULL CHECK (source IN ('console', 'conversation', 'email', 'api')),
    conversation_id   INTEGER REFERENCES conversations (id) ON DELETE SET NULL,
    created_by        INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    first_response_at INTEGER,
    solved_at         INTEGER,
    closed_at         INTEGER
) STRICT;

-- The list's filters, each with the default sort.
CREATE INDEX tickets_status ON tickets (status, updated_at);
CREATE INDEX tickets_team ON tickets (team_id, status, updated_at);
CREATE INDEX tickets_assignee ON tickets (assignee_id, status, updated_at);
CREATE INDEX tickets_due ON tickets (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX tickets_contact ON tickets (contact_id);
CREATE INDEX tickets_conversation ON tickets (conversation_id) WHERE conversation_id IS NOT NULL;
CREATE INDEX tickets_updated ON tickets (updated_at);

-- The timeline. `public` events are what the customer sees on the status page.
CREATE TABLE ticket_events (
    id                INTEGER PRIMARY KEY,
    ticket_id         INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    kind              TEXT NOT NULL CHECK (kind IN ('created', 'public_reply', 'customer_reply', 'note',
                      'status', 'team', 'assignee', 'priority', 'type', 'link', 'fields')),
    public            INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1)),
    author_kind       TEXT NOT NULL CHECK (author_kind IN ('agent', 'contact', 'system')),
    author_agent_id   INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    body              TEXT,
    -- JSON: {from, to} for changes, {conversation_id} for links, {note} for transfers.
    data              TEXT NOT NULL DEFAULT '{}',
    attachment_id     INTEGER REFERENCES attachments (id),
    -- An incoming mail's Message-ID: the same mail fetched twice is stored once.
    mail_message_id   TEXT UNIQUE,
    created_at        INTEGER NOT NULL
) STRICT;

CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);
