-- Outbound campaigns (issue 6): a campaign targets elders and makes one
-- task per elder; each task is called in attempts (leased to one caller at
-- a time: a node or an operator; a lease that expires makes the task
-- available again, and every lease is a new attempt, so no elder is ever
-- dialled twice for one attempt).
CREATE TABLE campaigns (
	id            INTEGER PRIMARY KEY,
	name          TEXT NOT NULL,
	type          TEXT NOT NULL,
	mode          TEXT NOT NULL,
	state         TEXT NOT NULL DEFAULT 'draft',
	org_id        INTEGER NOT NULL REFERENCES orgs(id),
	region_code   TEXT NOT NULL,
	starts_on     TEXT NOT NULL,
	ends_on       TEXT NOT NULL DEFAULT '',
	windows       TEXT NOT NULL,
	max_attempts  INTEGER NOT NULL,
	retry_minutes INTEGER NOT NULL,
	target        TEXT NOT NULL DEFAULT '{}',
	script_id     INTEGER,
	created_by    INTEGER REFERENCES accounts(id),
	created_at    TIMESTAMP NOT NULL,
	updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX campaigns_region ON campaigns(region_code, id);

CREATE TABLE campaign_tasks (
	id          INTEGER PRIMARY KEY,
	campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
	elder_id    INTEGER NOT NULL REFERENCES elders(id),
	region_code TEXT NOT NULL,
	state       TEXT NOT NULL DEFAULT 'pending',
	priority    INTEGER NOT NULL DEFAULT 0,
	attempts    INTEGER NOT NULL DEFAULT 0,
	phone_rank  INTEGER NOT NULL DEFAULT 0,
	next_at     TIMESTAMP NOT NULL,
	lease_owner TEXT NOT NULL DEFAULT '',
	lease_until TIMESTAMP,
	disposition TEXT NOT NULL DEFAULT '',
	done_at     TIMESTAMP,
	UNIQUE (campaign_id, elder_id)
);
-- The next task to call: by campaign, available ones by priority.
CREATE INDEX campaign_tasks_next ON campaign_tasks(campaign_id, priority DESC, next_at, id) WHERE state IN ('pending', 'leased');
CREATE INDEX campaign_tasks_elder ON campaign_tasks(elder_id);

-- One row per attempt: who called which number when, and how it ended.
CREATE TABLE campaign_attempts (
	id          INTEGER PRIMARY KEY,
	task_id     INTEGER NOT NULL REFERENCES campaign_tasks(id),
	elder_id    INTEGER NOT NULL REFERENCES elders(id),
	attempt     INTEGER NOT NULL,
	number      TEXT NOT NULL DEFAULT '',
	caller      TEXT NOT NULL,
	call_id     INTEGER REFERENCES calls(id),
	started_at  TIMESTAMP NOT NULL,
	ended_at    TIMESTAMP,
	disposition TEXT NOT NULL DEFAULT '',
	UNIQUE (task_id, attempt)
);
-- The contact cap counts an elder's attempts of the day and the week.
CREATE INDEX campaign_attempts_elder ON campaign_attempts(elder_id, started_at);

-- Questionnaires: every edit is a new version; tasks and answers name the
-- version they used, so outcomes compare between versions.
CREATE TABLE scripts (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	org_id     INTEGER NOT NULL REFERENCES orgs(id),
	created_at TIMESTAMP NOT NULL
);
CREATE TABLE script_versions (
	script_id  INTEGER NOT NULL REFERENCES scripts(id),
	version    INTEGER NOT NULL,
	questions  TEXT NOT NULL,
	created_by INTEGER REFERENCES accounts(id),
	created_at TIMESTAMP NOT NULL,
	PRIMARY KEY (script_id, version)
);
ALTER TABLE campaign_tasks ADD COLUMN script_version INTEGER NOT NULL DEFAULT 0;

CREATE TABLE campaign_answers (
	attempt_id     INTEGER NOT NULL REFERENCES campaign_attempts(id),
	task_id        INTEGER NOT NULL REFERENCES campaign_tasks(id),
	question       TEXT NOT NULL,
	value          TEXT NOT NULL,
	script_version INTEGER NOT NULL,
	PRIMARY KEY (attempt_id, question)
);
CREATE INDEX campaign_answers_task ON campaign_answers(task_id);

-- The welfare chain: a task whose every attempt failed becomes a
-- door-knock for the elder's residents' committee, escalated to the street
-- when nobody acknowledges it in time.
CREATE TABLE door_knocks (
	id              INTEGER PRIMARY KEY,
	task_id         INTEGER REFERENCES campaign_tasks(id),
	elder_id        INTEGER NOT NULL REFERENCES elders(id),
	region_code     TEXT NOT NULL,
	state           TEXT NOT NULL DEFAULT 'open',
	due_at          TIMESTAMP NOT NULL,
	escalated_to    TEXT NOT NULL DEFAULT '',
	acknowledged_by INTEGER REFERENCES accounts(id),
	acknowledged_at TIMESTAMP,
	result          TEXT NOT NULL DEFAULT '',
	note            TEXT NOT NULL DEFAULT '',
	closed_at       TIMESTAMP,
	created_at      TIMESTAMP NOT NULL
);
CREATE INDEX door_knocks_open ON door_knocks(region_code, due_at) WHERE state <> 'closed';
