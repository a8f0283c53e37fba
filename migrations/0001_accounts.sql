-- Accounts: the shop's settings, agents and their login sessions.
-- Timestamps are UTC milliseconds.

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE agents (
    id             INTEGER PRIMARY KEY,
    email          TEXT NOT NULL COLLATE NOCASE UNIQUE,
    name           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'agent')),
    active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    availability   TEXT NOT NULL DEFAULT 'offline'
                   CHECK (availability IN ('online', 'away', 'offline')),
    max_concurrent INTEGER NOT NULL DEFAULT 5 CHECK (max_concurrent BETWEEN 1 AND 100),
    locale         TEXT CHECK (locale IN ('en', 'zh-CN')),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
) STRICT;

-- A shop has exactly one owner.
CREATE UNIQUE INDEX agents_one_owner ON agents (role) WHERE role = 'owner';

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   BLOB NOT NULL UNIQUE,
    agent_id     INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    ip           TEXT,
    user_agent   TEXT
) STRICT;

CREATE INDEX sessions_agent ON sessions (agent_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    actor_id INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    action   TEXT NOT NULL,
    target   TEXT,
    detail   TEXT
) STRICT;
