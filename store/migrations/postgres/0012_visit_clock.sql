-- The return visit runs on an SLA clock too (issue 4): an order completed
-- but not called back in time is overdue like any other.
ALTER TABLE orders ADD COLUMN visit_warn_at TIMESTAMPTZ;
ALTER TABLE orders ADD COLUMN visit_due_at TIMESTAMPTZ;
