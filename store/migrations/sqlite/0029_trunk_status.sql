-- Trunks' live status (issue 5): one row per trunk and node, written by the
-- node's trunk monitor. A static trunk with a host is probed with OPTIONS; a
-- registering trunk reports its registration. detail holds the last SIP code
-- and reason. A node's calls in progress per trunk are its open call records.
CREATE TABLE trunk_status (
	trunk_id   INTEGER NOT NULL REFERENCES trunks(id) ON DELETE CASCADE,
	node       TEXT NOT NULL,
	state      TEXT NOT NULL CHECK (state IN ('up', 'down', 'registering', 'off')),
	since      TIMESTAMP NOT NULL,
	detail     TEXT NOT NULL DEFAULT '',
	updated_at TIMESTAMP NOT NULL,
	PRIMARY KEY (trunk_id, node)
);
