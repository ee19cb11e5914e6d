-- The overdue view (issue 4) lists the orders that are late now, longest
-- late first. late_since is when an order's first deadline passed; it is
-- cleared when the order is closed, cancelled or merged, so the index of
-- late orders holds only those still needing someone, however many orders
-- were ever overdue (overdue stays set as history).
ALTER TABLE orders ADD COLUMN late_since TIMESTAMP;
UPDATE orders SET late_since = CASE
		WHEN accept_due_at <= sla_checked_at THEN accept_due_at
		WHEN start_due_at <= sla_checked_at THEN start_due_at
		WHEN complete_due_at <= sla_checked_at THEN complete_due_at
		WHEN reply_due_at <= sla_checked_at THEN reply_due_at
		WHEN visit_due_at <= sla_checked_at THEN visit_due_at
		ELSE sla_checked_at END
	WHERE overdue AND state NOT IN ('closed', 'cancelled', 'merged');
DROP INDEX orders_overdue;
CREATE INDEX orders_late ON orders(late_since, id) WHERE late_since IS NOT NULL;
CREATE INDEX orders_late_region ON orders(region_code, late_since) WHERE late_since IS NOT NULL;
