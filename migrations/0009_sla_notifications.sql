-- SLA policies and clocks, team leads, and notifications for agents.

-- Who hears when the team's tickets run late (besides the assignee).
ALTER TABLE teams ADD COLUMN lead_agent_id INTEGER REFERENCES agents (id) ON DELETE SET NULL;

-- Which emails an agent wants (the console always shows them).
ALTER TABLE agents ADD COLUMN email_on_assigned INTEGER NOT NULL DEFAULT 1 CHECK (email_on_assigned IN (0, 1));
ALTER TABLE agents ADD COLUMN email_on_customer_reply INTEGER NOT NULL DEFAULT 1
    CHECK (email_on_customer_reply IN (0, 1));
ALTER TABLE agents ADD COLUMN email_on_sla INTEGER NOT NULL DEFAULT 1 CHECK (email_on_sla IN (0, 1));

-- Ordered: the first policy whose conditions all hold applies. A NULL condition
-- matches anything. A deleted team or type takes its policies with it, rather than
-- silently widening them to every ticket.
CREATE TABLE sla_policies (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL,
    position            INTEGER NOT NULL,
    priority            TEXT CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    team_id             INTEGER REFERENCES teams (id) ON DELETE CASCADE,
    type_id             INTEGER REFERENCES ticket_types (id) ON DELETE CASCADE,
    -- Targets in minutes; NULL: no target of that kind.
    first_response_mins INTEGER CHECK (first_response_mins > 0),
    resolution_mins     INTEGER CHECK (resolution_mins > 0),
    -- 1: counted in the shop's business hours; 0: around the clock.
    business_hours      INTEGER NOT NULL DEFAULT 1 CHECK (business_hours IN (0, 1)),
    -- Warn when this share of a target is used.
    warn_percent        INTEGER NOT NULL DEFAULT 80 CHECK (warn_percent BETWEEN 1 AND 99),
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    CHECK (first_response_mins IS NOT NULL OR resolution_mins IS NOT NULL)
) STRICT;

-- One clock per target of a ticket's policy. A clock is a function of the
-- ticket's status history, the policy and the business hours (see src/sla): these
-- rows keep the result, so the list and the watcher need no recomputation.
CREATE TABLE sla_clocks (
    ticket_id       INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    metric          TEXT NOT NULL CHECK (metric IN ('first_response', 'resolution')),
    target_ms       INTEGER NOT NULL,
    business_hours  INTEGER NOT NULL CHECK (business_hours IN (0, 1)),
    warn_percent    INTEGER NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('running', 'paused', 'met', 'stopped')),
    -- Time counted as of the last change (a paused clock's remaining time follows).
    used_ms         INTEGER NOT NULL DEFAULT 0,
    -- While running: when the warning and the breach fall due; a finished clock
    -- keeps the deadline it last had.
    warn_at         INTEGER,
    due_at          INTEGER,
    warned_at       INTEGER,
    breached_at     INTEGER,
    -- When the target was reached (met) or became moot (stopped).
    done_at         INTEGER,
    PRIMARY KEY (ticket_id, metric)
) STRICT, WITHOUT ROWID;

-- What the watcher waits for: running clocks not yet warned or breached.
CREATE INDEX sla_clocks_warn ON sla_clocks (warn_at) WHERE warned_at IS NULL AND state = 'running';
CREATE INDEX sla_clocks_due ON sla_clocks (due_at) WHERE breached_at IS NULL AND state = 'running';

-- Every SLA step, for the timeline and for reports (who was responsible then).
CREATE TABLE sla_events (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    policy_id   INTEGER REFERENCES sla_policies (id) ON DELETE SET NULL,
    metric      TEXT NOT NULL CHECK (metric IN ('first_response', 'resolution')),
    kind        TEXT NOT NULL CHECK (kind IN ('started', 'paused', 'resumed', 'warning', 'breached', 'met',
                'stopped', 'changed')),
    team_id     INTEGER,
    assignee_id INTEGER,
    at          INTEGER NOT NULL
) STRICT;

CREATE INDEX sla_events_ticket ON sla_events (ticket_id, id);
CREATE INDEX sla_events_at ON sla_events (at);

-- The ticket's SLA in brief, kept by the clocks: the policy, the soonest running
-- deadline and warning, whether any target was ever missed, and the soonest of the
-- SLA deadline and the agent-set due date (the list's "due" order).
ALTER TABLE tickets ADD COLUMN sla_policy_id INTEGER REFERENCES sla_policies (id) ON DELETE SET NULL;
ALTER TABLE tickets ADD COLUMN sla_due_at INTEGER;
ALTER TABLE tickets ADD COLUMN sla_warn_at INTEGER;
ALTER TABLE tickets ADD COLUMN sla_breached INTEGER NOT NULL DEFAULT 0 CHECK (sla_breached IN (0, 1));
ALTER TABLE tickets ADD COLUMN next_due_at INTEGER;
UPDATE tickets SET next_due_at = due_at;

CREATE INDEX tickets_next_due ON tickets (next_due_at) WHERE next_due_at IS NOT NULL;
CREATE INDEX tickets_sla_due ON tickets (sla_due_at) WHERE sla_due_at IS NOT NULL;

-- What an agent should look at: shown in the console, and emailed by preference.
CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    agent_id    INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('assigned', 'customer_replied', 'sla_warning', 'sla_breach')),
    ticket_id   INTEGER REFERENCES tickets (id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    excerpt     TEXT NOT NULL DEFAULT '',
    -- JSON: {due_at} for SLA notifications.
    data        TEXT NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL,
    read_at     INTEGER
) STRICT;

CREATE INDEX notifications_agent ON notifications (agent_id, id);
CREATE INDEX notifications_unread ON notifications (agent_id) WHERE read_at IS NULL;
