-- SLA clocks of work orders (issue 4): when each running clock warns and
-- is breached, what the SLA pass acts on next (indexed by orders_next_due
-- on next_due_at), and the notifications a breach sends to supervisors.
ALTER TABLE orders ADD COLUMN accept_warn_at TIMESTAMP;
ALTER TABLE orders ADD COLUMN accept_due_at TIMESTAMP;
ALTER TABLE orders ADD COLUMN start_warn_at TIMESTAMP;
ALTER TABLE orders ADD COLUMN start_due_at TIMESTAMP;
ALTER TABLE orders ADD COLUMN complete_warn_at TIMESTAMP;
ALTER TABLE orders ADD COLUMN complete_due_at TIMESTAMP;
ALTER TABLE orders ADD COLUMN reply_warn_at TIMESTAMP;
ALTER TABLE orders ADD COLUMN reply_due_at TIMESTAMP;
-- next_due_kind says what happens at next_due_at: "warn:accept",
-- "breach:complete"; sla_checked_at is the last point acted on.
ALTER TABLE orders ADD COLUMN next_due_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN sla_checked_at TIMESTAMP;

CREATE TABLE notifications (
	id          INTEGER PRIMARY KEY,
	org_id      INTEGER REFERENCES orgs(id),
	region_code TEXT NOT NULL DEFAULT '',
	kind        TEXT NOT NULL,
	order_id    INTEGER REFERENCES orders(id) ON DELETE CASCADE,
	text        TEXT NOT NULL,
	created_at  TIMESTAMP NOT NULL,
	read_at     TIMESTAMP
);
CREATE INDEX notifications_org ON notifications(org_id, created_at);
