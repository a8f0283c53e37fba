-- Contact profiles (notes, VIP tier, tags, custom attributes) and the shop's orders.

ALTER TABLE contacts ADD COLUMN notes TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN vip_tier TEXT;
-- JSON array of strings.
ALTER TABLE contacts ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
-- JSON object of the shop's own fields (会员等级, 城市, …).
ALTER TABLE contacts ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';

CREATE TABLE orders (
    id              INTEGER PRIMARY KEY,
    -- The shop system's id for the order: upserts match on it.
    external_id     TEXT NOT NULL UNIQUE,
    contact_id      INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    number          TEXT NOT NULL,
    -- JSON array of {name, quantity, price}.
    items           TEXT NOT NULL DEFAULT '[]',
    amount_cents    INTEGER,
    currency        TEXT,
    status          TEXT NOT NULL DEFAULT '',
    carrier         TEXT,
    tracking_number TEXT,
    updated_at      INTEGER NOT NULL,
    created_at      INTEGER NOT NULL
) STRICT;

CREATE INDEX orders_contact ON orders (contact_id, updated_at DESC);
