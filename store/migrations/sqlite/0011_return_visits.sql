-- Return visits (回访, issue 4): the satisfaction call every completed order
-- gets, due within a few working days, and each call made for it. The calls
-- also enforce the per-elder cap (at most one return-visit call a day).
CREATE TABLE return_visits (
	id                 INTEGER PRIMARY KEY,
	order_id           INTEGER NOT NULL UNIQUE REFERENCES orders(id) ON DELETE CASCADE,
	elder_id           INTEGER NOT NULL REFERENCES elders(id),
	region_code        TEXT NOT NULL,
	due_at             TIMESTAMP NOT NULL,
	state              TEXT NOT NULL DEFAULT 'due',
	score              INTEGER,
	comment            TEXT NOT NULL DEFAULT '',
	family_answered    BOOLEAN NOT NULL DEFAULT FALSE,
	done_by            INTEGER REFERENCES accounts(id),
	done_at            TIMESTAMP,
	complaint_order_id INTEGER REFERENCES orders(id),
	created_at         TIMESTAMP NOT NULL
);
CREATE INDEX return_visits_due ON return_visits(state, due_at);

CREATE TABLE return_visit_calls (
	id         INTEGER PRIMARY KEY,
	visit_id   INTEGER NOT NULL REFERENCES return_visits(id) ON DELETE CASCADE,
	elder_id   INTEGER NOT NULL REFERENCES elders(id),
	at         TIMESTAMP NOT NULL,
	reached    BOOLEAN NOT NULL,
	actor_id   INTEGER REFERENCES accounts(id)
);
CREATE INDEX return_visit_calls_elder ON return_visit_calls(elder_id, at);
