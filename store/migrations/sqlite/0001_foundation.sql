CREATE TABLE regions (
	code        TEXT PRIMARY KEY,
	name        TEXT NOT NULL,
	level       INTEGER NOT NULL,
	parent_code TEXT REFERENCES regions(code),
	full_name   TEXT NOT NULL
);
CREATE INDEX regions_parent ON regions(parent_code, code);

CREATE TABLE orgs (
	id          INTEGER PRIMARY KEY,
	kind        TEXT NOT NULL,
	name        TEXT NOT NULL,
	region_code TEXT REFERENCES regions(code),
	disabled    BOOLEAN NOT NULL DEFAULT FALSE,
	created_at  TIMESTAMP NOT NULL,
	updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX orgs_region ON orgs(region_code);

CREATE TABLE accounts (
	id            INTEGER PRIMARY KEY,
	org_id        INTEGER NOT NULL REFERENCES orgs(id),
	username      TEXT NOT NULL UNIQUE,
	display_name  TEXT NOT NULL,
	roles         TEXT NOT NULL,
	locale        TEXT NOT NULL,
	disabled      BOOLEAN NOT NULL DEFAULT FALSE,
	password_hash TEXT NOT NULL,
	failed_logins INTEGER NOT NULL DEFAULT 0,
	locked_until  TIMESTAMP,
	last_login_at TIMESTAMP,
	created_at    TIMESTAMP NOT NULL,
	updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX accounts_org ON accounts(org_id);

CREATE TABLE sessions (
	id         TEXT PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts(id),
	csrf       TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	expires_at TIMESTAMP NOT NULL,
	ip         TEXT NOT NULL DEFAULT '',
	user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_account ON sessions(account_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

CREATE TABLE api_tokens (
	id           INTEGER PRIMARY KEY,
	account_id   INTEGER NOT NULL REFERENCES accounts(id),
	name         TEXT NOT NULL,
	prefix       TEXT NOT NULL,
	hash         TEXT NOT NULL UNIQUE,
	created_at   TIMESTAMP NOT NULL,
	last_used_at TIMESTAMP,
	revoked_at   TIMESTAMP
);
CREATE INDEX api_tokens_account ON api_tokens(account_id);

CREATE TABLE audit_log (
	id          INTEGER PRIMARY KEY,
	at          TIMESTAMP NOT NULL,
	actor_id    INTEGER,
	actor_name  TEXT NOT NULL,
	region      TEXT NOT NULL DEFAULT '',
	action      TEXT NOT NULL,
	target_type TEXT NOT NULL DEFAULT '',
	target_id   TEXT NOT NULL DEFAULT '',
	detail      TEXT NOT NULL DEFAULT '',
	reason      TEXT NOT NULL DEFAULT '',
	ip          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_region_at ON audit_log(region, at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
