-- Rosters uploaded for import, kept between the preview and the commit so
-- that the two requests may reach different nodes; deleted after a day.
CREATE TABLE import_files (
	id           TEXT COLLATE "C" PRIMARY KEY,
	account_id   BIGINT NOT NULL REFERENCES accounts(id),
	filename     TEXT NOT NULL,
	size         BIGINT NOT NULL,
	data         BYTEA NOT NULL,
	created_at   TIMESTAMPTZ NOT NULL,
	committed_at TIMESTAMPTZ,
	result       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX import_files_created ON import_files(created_at);
CREATE INDEX import_files_account ON import_files(account_id);
