-- Routing: intents and what agents labelled, the classifier's verdict and the
-- sentiment on conversations and messages, ordered routing rules, team
-- strategies and agents' skills.

CREATE TABLE intents (
    id         INTEGER PRIMARY KEY,
    -- Machine name: [a-z0-9_], what rules and skills refer to.
    name       TEXT NOT NULL UNIQUE,
    label      TEXT NOT NULL,
    -- JSON arrays of strings.
    examples   TEXT NOT NULL DEFAULT '[]',
    keywords   TEXT NOT NULL DEFAULT '[]',
    -- Where its conversations go when no rule says otherwise.
    team_id    INTEGER REFERENCES teams (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

ALTER TABLE conversations ADD COLUMN intent_id INTEGER REFERENCES intents (id) ON DELETE SET NULL;
ALTER TABLE conversations ADD COLUMN intent_confidence REAL;
ALTER TABLE conversations ADD COLUMN intent_source TEXT CHECK (intent_source IN ('model', 'agent', 'rule'));
-- The customer's first message: what the classifier read, and what an agent's
-- label teaches it.
ALTER TABLE conversations ADD COLUMN intent_text TEXT;
-- The trend of the customer's messages, -1..1, and whether it is flagged negative.
ALTER TABLE conversations ADD COLUMN sentiment REAL;
ALTER TABLE conversations ADD COLUMN negative INTEGER NOT NULL DEFAULT 0 CHECK (negative IN (0, 1));
-- A rule reserved the conversation for this agent: it waits for them.
ALTER TABLE conversations ADD COLUMN reserved_for INTEGER REFERENCES agents (id) ON DELETE SET NULL;

CREATE INDEX conversations_labelled ON conversations (intent_id) WHERE intent_source = 'agent';
CREATE INDEX conversations_intent ON conversations (intent_id, created_at) WHERE intent_id IS NOT NULL;

-- Customer messages: JSON {score, label, urgent, cues}.
ALTER TABLE messages ADD COLUMN sentiment TEXT;

CREATE TABLE routing_rules (
    id          INTEGER PRIMARY KEY,
    position    INTEGER NOT NULL,
    name        TEXT NOT NULL,
    enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    -- Evaluate the next rules too after this one matched.
    continue_after INTEGER NOT NULL DEFAULT 0 CHECK (continue_after IN (0, 1)),
    -- JSON objects; see docs/routing.md.
    conditions  TEXT NOT NULL DEFAULT '{}',
    actions     TEXT NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

ALTER TABLE teams ADD COLUMN strategy TEXT NOT NULL DEFAULT 'round_robin'
    CHECK (strategy IN ('round_robin', 'least_busy', 'skills'));
-- JSON array of intent names.
ALTER TABLE agents ADD COLUMN skills TEXT NOT NULL DEFAULT '[]';

-- The queue's pace (assignments in the last hour) for customers' estimated wait.
CREATE INDEX conversation_events_kind ON conversation_events (kind, at);
