-- What an elder answered an agentless check-in call (issue 5): well,
-- supplies (needs food or goods) or help (asked for a person); empty when
-- no key was pressed or the call was not a check-in.
ALTER TABLE calls ADD COLUMN checkin TEXT NOT NULL DEFAULT '';
