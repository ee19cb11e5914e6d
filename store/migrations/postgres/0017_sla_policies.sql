-- SLA policies administrators change (issue 4): one row per order type and
-- urgency whose policy differs from the shipped default (sla.Defaults); a
-- type and urgency without a row keeps the default. Budgets are in the text
-- form of workcal.Budget.String ("1d4h", "30m", "" for no such clock).
CREATE TABLE sla_policies (
	type            TEXT NOT NULL,
	urgency         TEXT NOT NULL,
	accept          TEXT NOT NULL DEFAULT '',
	start           TEXT NOT NULL DEFAULT '',
	complete        TEXT NOT NULL DEFAULT '',
	reply           TEXT NOT NULL DEFAULT '',
	return_visit    TEXT NOT NULL DEFAULT '',
	round_the_clock BOOLEAN NOT NULL DEFAULT FALSE,
	updated_by      BIGINT REFERENCES accounts(id),
	updated_at      TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (type, urgency)
);
