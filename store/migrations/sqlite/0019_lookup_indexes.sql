-- Lookups that read a whole table on a large database (found filling
-- 1,000,000 orders, issue 4): a return visit counts its calls, an order's
-- page lists its photos, and the home page lists the area's newest
-- notifications.
CREATE INDEX return_visit_calls_visit ON return_visit_calls(visit_id);
CREATE INDEX order_attachments_order ON order_attachments(order_id, id);
CREATE INDEX notifications_region ON notifications(region_code, created_at);
CREATE INDEX notifications_created ON notifications(created_at);
