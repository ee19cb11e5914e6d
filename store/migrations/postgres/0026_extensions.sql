-- Operators' phones (issue 5): the SIP extension an operator's phone
-- registers as, and its digest secret HA1 (MD5 of user:realm:password),
-- never the password itself.
CREATE TABLE extensions (
	account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
	ext        TEXT NOT NULL UNIQUE,
	ha1        TEXT NOT NULL
);
