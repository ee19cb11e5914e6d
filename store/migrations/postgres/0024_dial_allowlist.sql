-- Numbers Anxin may ring although they are no registered elder's or
-- contact's (issue 5, the toll-fraud guard): a pharmacy, a hospital desk,
-- an international relative. Stored as dialled: digits, with a leading +
-- for international numbers.
CREATE TABLE dial_allowlist (
	number     TEXT PRIMARY KEY,
	note       TEXT NOT NULL DEFAULT '',
	created_by BIGINT REFERENCES accounts(id),
	created_at TIMESTAMPTZ NOT NULL
);
