CREATE TABLE elders (
	id              INTEGER PRIMARY KEY,
	name            TEXT NOT NULL,
	name_pinyin     TEXT NOT NULL DEFAULT '',
	name_initials   TEXT NOT NULL DEFAULT '',
	gender          TEXT NOT NULL DEFAULT '',
	birth_date      TEXT NOT NULL DEFAULT '',
	id_number       TEXT UNIQUE,
	id_rev          TEXT NOT NULL DEFAULT '',
	region_code     TEXT NOT NULL REFERENCES regions(code),
	address         TEXT NOT NULL DEFAULT '',
	living          TEXT NOT NULL DEFAULT '',
	tags            TEXT NOT NULL DEFAULT '',
	dialect         TEXT NOT NULL DEFAULT '',
	hearing         TEXT NOT NULL DEFAULT '',
	best_time       TEXT NOT NULL DEFAULT '',
	health          TEXT NOT NULL DEFAULT '',
	medication      TEXT NOT NULL DEFAULT '',
	contacts        TEXT NOT NULL DEFAULT '[]',
	consents        TEXT NOT NULL DEFAULT '[]',
	status          TEXT NOT NULL DEFAULT 'active',
	notes           TEXT NOT NULL DEFAULT '',
	last_contact_at TIMESTAMP,
	created_at      TIMESTAMP NOT NULL,
	updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX elders_region ON elders(region_code, id);
CREATE INDEX elders_name ON elders(name);
CREATE INDEX elders_pinyin ON elders(name_pinyin);
CREATE INDEX elders_initials ON elders(name_initials);
CREATE INDEX elders_id_rev ON elders(id_rev);

CREATE TABLE elder_phones (
	elder_id   INTEGER NOT NULL REFERENCES elders(id) ON DELETE CASCADE,
	number     TEXT NOT NULL,
	number_rev TEXT NOT NULL,
	label      TEXT NOT NULL,
	rank       INTEGER NOT NULL,
	contact    BOOLEAN NOT NULL DEFAULT FALSE,
	PRIMARY KEY (elder_id, contact, number)
);
CREATE INDEX elder_phones_number ON elder_phones(number);
CREATE INDEX elder_phones_rev ON elder_phones(number_rev);

CREATE TABLE elder_history (
	id         INTEGER PRIMARY KEY,
	elder_id   INTEGER NOT NULL REFERENCES elders(id) ON DELETE CASCADE,
	at         TIMESTAMP NOT NULL,
	actor_id   INTEGER,
	actor_name TEXT NOT NULL,
	field      TEXT NOT NULL,
	old_value  TEXT NOT NULL,
	new_value  TEXT NOT NULL
);
CREATE INDEX elder_history_elder ON elder_history(elder_id, id);

CREATE TABLE elder_events (
	id       INTEGER PRIMARY KEY,
	elder_id INTEGER NOT NULL REFERENCES elders(id) ON DELETE CASCADE,
	at       TIMESTAMP NOT NULL,
	kind     TEXT NOT NULL,
	ref_type TEXT NOT NULL DEFAULT '',
	ref_id   TEXT NOT NULL DEFAULT '',
	actor    TEXT NOT NULL DEFAULT '',
	summary  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX elder_events_elder_at ON elder_events(elder_id, at);
