-- Work orders (工单, issue 4): one request of an elder from intake to the
-- return visit, its lines (supply packages), its timeline of events and the
-- photos attached to them.
CREATE TABLE orders (
	id               INTEGER PRIMARY KEY,
	number           TEXT NOT NULL UNIQUE,
	type             TEXT NOT NULL,
	channel          TEXT NOT NULL,
	urgency          TEXT NOT NULL,
	state            TEXT NOT NULL,
	elder_id         INTEGER NOT NULL REFERENCES elders(id),
	region_code      TEXT NOT NULL,
	title            TEXT NOT NULL,
	description      TEXT NOT NULL DEFAULT '',
	category_id      INTEGER,
	item_id          INTEGER,
	total_fen        INTEGER NOT NULL DEFAULT 0,
	assignee_org_id  INTEGER REFERENCES orgs(id),
	scheduled_at     TIMESTAMP,
	merged_into      INTEGER REFERENCES orders(id),
	parent_id        INTEGER REFERENCES orders(id),
	call_id          INTEGER,
	campaign_task_id INTEGER,
	owner_org_id     INTEGER REFERENCES orgs(id),
	created_by       INTEGER REFERENCES accounts(id),
	created_by_name  TEXT NOT NULL,
	-- "account:key" of a create request, so a repeated request finds the
	-- order it made instead of making another.
	idempotency_key  TEXT UNIQUE,
	version          INTEGER NOT NULL DEFAULT 1,
	paused_at        TIMESTAMP,
	overdue          BOOLEAN NOT NULL DEFAULT FALSE,
	next_due_at      TIMESTAMP,
	created_at       TIMESTAMP NOT NULL,
	updated_at       TIMESTAMP NOT NULL,
	closed_at        TIMESTAMP
);
CREATE INDEX orders_created ON orders(created_at, id);
CREATE INDEX orders_region_state ON orders(region_code, state, created_at);
CREATE INDEX orders_assignee_state ON orders(assignee_org_id, state, created_at);
CREATE INDEX orders_elder ON orders(elder_id, created_at);
CREATE INDEX orders_next_due ON orders(next_due_at) WHERE next_due_at IS NOT NULL;

-- Daily counters behind order numbers (GD20261123-0042).
CREATE TABLE order_counters (
	day TEXT PRIMARY KEY,
	n   INTEGER NOT NULL
);

CREATE TABLE order_lines (
	order_id        INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
	line_no         INTEGER NOT NULL,
	item_id         INTEGER NOT NULL,
	item_name       TEXT NOT NULL,
	quantity        INTEGER NOT NULL,
	unit_fen        INTEGER NOT NULL,
	supplier_org_id INTEGER REFERENCES orgs(id),
	PRIMARY KEY (order_id, line_no)
);

CREATE TABLE order_events (
	id            INTEGER PRIMARY KEY,
	order_id      INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
	at            TIMESTAMP NOT NULL,
	actor_id      INTEGER REFERENCES accounts(id),
	actor_name    TEXT NOT NULL,
	actor_org_id  INTEGER REFERENCES orgs(id),
	action        TEXT NOT NULL,
	from_state    TEXT NOT NULL,
	to_state      TEXT NOT NULL,
	note          TEXT NOT NULL DEFAULT '',
	target_org_id INTEGER REFERENCES orgs(id)
);
CREATE INDEX order_events_order ON order_events(order_id, id);

CREATE TABLE order_attachments (
	id           INTEGER PRIMARY KEY,
	order_id     INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
	event_id     INTEGER NOT NULL REFERENCES order_events(id) ON DELETE CASCADE,
	filename     TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size         INTEGER NOT NULL,
	data         BLOB NOT NULL,
	created_at   TIMESTAMP NOT NULL
);
CREATE INDEX order_attachments_event ON order_attachments(event_id);
