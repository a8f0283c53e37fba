-- Labels on conversations, and canned responses (global or per team).

CREATE TABLE labels (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL COLLATE NOCASE UNIQUE,
    color      TEXT NOT NULL DEFAULT '#64748b',
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE conversation_labels (
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    label_id        INTEGER NOT NULL REFERENCES labels (id) ON DELETE CASCADE,
    PRIMARY KEY (conversation_id, label_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX conversation_labels_label ON conversation_labels (label_id);

CREATE TABLE canned_responses (
    id         INTEGER PRIMARY KEY,
    -- Typed after `/` in the reply box, e.g. `/shipping`.
    shortcut   TEXT NOT NULL,
    body       TEXT NOT NULL,
    -- NULL: everyone's; otherwise only that team's members see it.
    team_id    INTEGER REFERENCES teams (id) ON DELETE CASCADE,
    created_by INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- One shortcut per scope (coalesce makes the global scope comparable).
CREATE UNIQUE INDEX canned_responses_shortcut ON canned_responses (shortcut, coalesce(team_id, 0));
