-- Telephony configuration (issue 5): trunks to the telephone network and
-- the inbound numbers (DIDs) with the flow and area their calls go to.
-- Peers are CIDR prefixes, comma-separated.
CREATE TABLE trunks (
	id           INTEGER PRIMARY KEY,
	name         TEXT NOT NULL UNIQUE,
	kind         TEXT NOT NULL CHECK (kind IN ('static', 'register')),
	peers        TEXT NOT NULL DEFAULT '',
	host         TEXT NOT NULL DEFAULT '',
	username     TEXT NOT NULL DEFAULT '',
	password     TEXT NOT NULL DEFAULT '',
	caller_id    TEXT NOT NULL,
	max_channels INTEGER NOT NULL DEFAULT 0,
	priority     INTEGER NOT NULL DEFAULT 0,
	enabled      BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE TABLE dids (
	number      TEXT PRIMARY KEY,
	flow        TEXT NOT NULL CHECK (flow IN ('hotline', 'callback')),
	region_code TEXT NOT NULL,
	name        TEXT NOT NULL
);
