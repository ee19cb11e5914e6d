-- When each account last marked its notifications read (issue 4): the
-- home page shows what came since as new.
CREATE TABLE notice_reads (
	account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
	seen_at    TIMESTAMP NOT NULL
);
