-- Call records (issue 5): one row per call leg and attempt — the caller's
-- leg of an inbound call, each offer of it to an operator's phone, each
-- outbound attempt. A leg is open while ended_at is NULL; at start-up a node
-- closes its open legs as interrupted (no call survives a restart).
CREATE TABLE calls (
	id               INTEGER PRIMARY KEY,
	parent_id        INTEGER REFERENCES calls(id),
	direction        TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
	leg              TEXT NOT NULL CHECK (leg IN ('caller', 'agent')),
	from_number      TEXT NOT NULL,
	to_number        TEXT NOT NULL,
	trunk            TEXT NOT NULL DEFAULT '',
	sip_call_id      TEXT NOT NULL DEFAULT '',
	started_at       TIMESTAMP NOT NULL,
	ringing_at       TIMESTAMP,
	answered_at      TIMESTAMP,
	ended_at         TIMESTAMP,
	sip_code         INTEGER NOT NULL DEFAULT 0,
	cause            TEXT NOT NULL DEFAULT '',
	hangup_by        TEXT NOT NULL DEFAULT '',
	queue            TEXT NOT NULL DEFAULT '',
	wait_seconds     INTEGER NOT NULL DEFAULT 0,
	agent_id         INTEGER REFERENCES accounts(id),
	recording        TEXT NOT NULL DEFAULT '',
	elder_id         INTEGER REFERENCES elders(id),
	order_id         INTEGER REFERENCES orders(id),
	campaign_task_id INTEGER,
	node             TEXT NOT NULL DEFAULT '',
	region_code      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX calls_started ON calls(started_at, id);
CREATE INDEX calls_region ON calls(region_code, started_at);
CREATE INDEX calls_elder ON calls(elder_id, started_at);
CREATE INDEX calls_from ON calls(from_number, started_at);
CREATE INDEX calls_to ON calls(to_number, started_at);
CREATE INDEX calls_open ON calls(node) WHERE ended_at IS NULL;
