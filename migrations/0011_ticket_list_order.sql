-- The ticket list's other two orders walk an index instead of sorting every match.
CREATE INDEX tickets_created ON tickets (created_at);
-- The same expression as the list's ORDER BY (tickets without a deadline last).
CREATE INDEX tickets_due_order ON tickets (coalesce(next_due_at, 9223372036854775807), id);
DROP INDEX tickets_next_due;
