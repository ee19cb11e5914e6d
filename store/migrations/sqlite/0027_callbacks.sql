-- The "to call back" list (issue 5): an inbound caller nobody took (the
-- queue gave up, or the caller hung up waiting) waits here until an
-- operator calls back; called_back_by / called_back_call record it.
ALTER TABLE calls ADD COLUMN called_back_at TIMESTAMP;
ALTER TABLE calls ADD COLUMN called_back_by INTEGER REFERENCES accounts(id);
ALTER TABLE calls ADD COLUMN called_back_call INTEGER REFERENCES calls(id);
CREATE INDEX calls_to_call_back ON calls(region_code, started_at)
	WHERE leg = 'caller' AND direction = 'inbound' AND queue <> '' AND agent_id IS NULL AND called_back_at IS NULL;
