-- Operators' states for taking calls (issue 5): one row per operator who
-- ever signed in to take calls; no row means signed out.
CREATE TABLE agent_states (
	account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
	state      TEXT NOT NULL CHECK (state IN ('signed_out', 'ready', 'ringing', 'on_call', 'wrap_up', 'break')),
	reason     TEXT NOT NULL DEFAULT '',
	since      TIMESTAMP NOT NULL,
	wrap_until TIMESTAMP,
	call_id    INTEGER,
	node       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX agent_states_busy ON agent_states(node) WHERE state IN ('ringing', 'on_call');
