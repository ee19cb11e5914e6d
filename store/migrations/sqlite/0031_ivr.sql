-- IVR menus, queues, skills and uploaded prompts (issue 5).
--
-- A menu plays a prompt and acts on the key pressed; its options are a JSON
-- array of {"key","action","target"} (actions: queue, menu, info, callback,
-- message, language), checked by anxin.Menu.Validate. A hotline number
-- starts at its menu (dids.menu_id; none: the built-in menu).
CREATE TABLE ivr_menus (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	greeting   TEXT NOT NULL DEFAULT '',
	prompt     TEXT NOT NULL,
	options    TEXT NOT NULL DEFAULT '[]',
	timeout_s  INTEGER NOT NULL DEFAULT 8,
	updated_at TIMESTAMP NOT NULL
);
ALTER TABLE dids ADD COLUMN menu_id INTEGER REFERENCES ivr_menus(id);

-- A queue's settings: the skill its operators need (besides the caller's
-- language), after how long any operator may take the call (overflow), how
-- long a caller waits before being offered a callback, and how often the
-- position is announced.
CREATE TABLE queues (
	name       TEXT PRIMARY KEY,
	label      TEXT NOT NULL,
	skill      TEXT NOT NULL DEFAULT '',
	overflow_s INTEGER NOT NULL DEFAULT 30,
	max_wait_s INTEGER NOT NULL DEFAULT 120,
	announce_s INTEGER NOT NULL DEFAULT 30,
	updated_at TIMESTAMP NOT NULL
);

-- What each operator can take: languages and dialects (wuu = Shanghainese)
-- and hotline tiers (e.g. complaint).
CREATE TABLE agent_skills (
	account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	skill      TEXT NOT NULL,
	PRIMARY KEY (account_id, skill)
);

-- Prompts uploaded by staff, per language or dialect, replacing or adding
-- to the built-in Mandarin ones; stored as 8 kHz mono 16-bit WAV.
CREATE TABLE prompt_files (
	name        TEXT NOT NULL,
	lang        TEXT NOT NULL,
	wav         BLOB NOT NULL,
	millis      INTEGER NOT NULL,
	uploaded_by INTEGER REFERENCES accounts(id),
	uploaded_at TIMESTAMP NOT NULL,
	PRIMARY KEY (name, lang)
);

-- The caller's language on the call record, and whether the caller asked
-- to be called back (rather than hanging up while waiting).
ALTER TABLE calls ADD COLUMN lang TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN callback_requested BOOLEAN NOT NULL DEFAULT FALSE;
