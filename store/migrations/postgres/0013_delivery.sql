-- Supply orders' delivery (issue 4): how each was delivered (to the gate,
-- handed over by a volunteer, or failed with a reason) and the cash the
-- courier collected, in fen.
ALTER TABLE orders ADD COLUMN delivery_outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN cash_fen BIGINT NOT NULL DEFAULT 0;
