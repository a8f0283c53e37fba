-- The bot in the chat: the per-inbox switch and handoff words, what the bot wrote
-- (messages.bot), each turn it took, one outcome per conversation, and the
-- learning loop's suggestions.

ALTER TABLE inboxes ADD COLUMN bot_enabled INTEGER NOT NULL DEFAULT 0 CHECK (bot_enabled IN (0, 1));
-- JSON array of words that hand over at once; empty means the built-in ones.
ALTER TABLE inboxes ADD COLUMN handoff_words TEXT NOT NULL DEFAULT '[]';

-- For messages the bot wrote: JSON {kind, articles, feedback, picked, reason}.
ALTER TABLE messages ADD COLUMN bot TEXT;

-- When the bot last took the conversation (new, or reopened into the bot).
ALTER TABLE conversations ADD COLUMN bot_started_at INTEGER;
-- The outcome of the bot's latest session; NULL while undecided or never the bot's.
ALTER TABLE conversations ADD COLUMN bot_outcome TEXT
    CHECK (bot_outcome IN ('resolved', 'handed_off', 'abandoned'));
ALTER TABLE conversations ADD COLUMN bot_outcome_at INTEGER;

CREATE INDEX conversations_bot_started ON conversations (bot_started_at) WHERE bot_started_at IS NOT NULL;

-- Each customer message the bot handled and what it decided.
CREATE TABLE bot_turns (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    -- The customer's message.
    message_id      INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    question        TEXT NOT NULL,
    locale          TEXT NOT NULL,
    -- answer, suggest, retry, handoff, order, order_ask
    kind            TEXT NOT NULL,
    reason          TEXT,
    confidence      REAL NOT NULL DEFAULT 0,
    -- JSON array of the article ids it answered with or offered.
    articles        TEXT NOT NULL DEFAULT '[]',
    -- The bot found nothing to say: these feed "top unanswered" and the learning loop.
    unanswered      INTEGER NOT NULL DEFAULT 0 CHECK (unanswered IN (0, 1)),
    -- JSON array of the question's analysed words, to group similar questions.
    terms           TEXT NOT NULL DEFAULT '[]',
    at              INTEGER NOT NULL
) STRICT;

CREATE INDEX bot_turns_conversation ON bot_turns (conversation_id, id);
CREATE INDEX bot_turns_unanswered ON bot_turns (at) WHERE unanswered = 1;

-- A question the bot could not answer with the answer an agent gave, for review.
CREATE TABLE kb_suggestions (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER UNIQUE REFERENCES conversations (id) ON DELETE SET NULL,
    question        TEXT NOT NULL,
    answer          TEXT NOT NULL,
    locale          TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    -- The article it became, or gained an alternate question.
    article_id      INTEGER REFERENCES kb_articles (id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    decided_at      INTEGER,
    decided_by      INTEGER REFERENCES agents (id) ON DELETE SET NULL
) STRICT;

CREATE INDEX kb_suggestions_status ON kb_suggestions (status, id DESC);

-- The bot's idle check looks only at conversations it holds.
CREATE INDEX conversations_with_bot ON conversations (last_message_at) WHERE status = 'bot';
