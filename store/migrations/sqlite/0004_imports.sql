-- Rosters uploaded for import, kept between the preview and the commit so
-- that the two requests may reach different nodes; deleted after a day.
CREATE TABLE import_files (
	id           TEXT PRIMARY KEY,
	account_id   INTEGER NOT NULL REFERENCES accounts(id),
	filename     TEXT NOT NULL,
	size         INTEGER NOT NULL,
	data         BLOB NOT NULL,
	created_at   TIMESTAMP NOT NULL,
	committed_at TIMESTAMP,
	result       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX import_files_created ON import_files(created_at);
CREATE INDEX import_files_account ON import_files(account_id);
