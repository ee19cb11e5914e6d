-- An elder who pressed 3 (needs help) on a check-in call and whom no
-- operator took is on the list to call back too (issue 5), like an inbound
-- caller nobody took.
CREATE INDEX calls_to_call_back_checkin ON calls(region_code, started_at)
	WHERE leg = 'caller' AND direction = 'outbound' AND queue = 'checkin_help' AND agent_id IS NULL AND called_back_at IS NULL;
