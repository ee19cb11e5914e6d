-- System alarms (issue 5 and after): a condition an administrator must see —
-- the recording disk full, a trunk down. key names the condition
-- ("recordings.disk_full"), node the machine that raised it ('' for the
-- whole platform). An alarm is active while cleared_at is NULL; at most one
-- active row per key and node, so raising again is idempotent. message is an
-- i18n key, args its JSON array of string arguments. Cleared rows are the
-- history.
CREATE TABLE alarms (
	id         INTEGER PRIMARY KEY,
	key        TEXT NOT NULL,
	node       TEXT NOT NULL DEFAULT '',
	severity   TEXT NOT NULL CHECK (severity IN ('warning', 'critical')),
	message    TEXT NOT NULL,
	args       TEXT NOT NULL DEFAULT '[]',
	raised_at  TIMESTAMP NOT NULL,
	cleared_at TIMESTAMP
);
CREATE UNIQUE INDEX alarms_active ON alarms(key, node) WHERE cleared_at IS NULL;
CREATE INDEX alarms_raised ON alarms(raised_at, id);

-- Recording retention (issue 5, PIPL): when a recording is deleted after the
-- retention period the call record stays, recording becomes '' and
-- recording_purged_at says when. calls_recorded finds the recordings still
-- kept, oldest first, without scanning the purged ones.
ALTER TABLE calls ADD COLUMN recording_purged_at TIMESTAMP;
CREATE INDEX calls_recorded ON calls(started_at, id) WHERE recording <> '';
