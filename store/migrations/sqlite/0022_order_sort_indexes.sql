-- Lists of a wide area (a district, a city) walk an index in their sort
-- order and filter the area (and urgency) inside the index as they go
-- (issue 4, measured on 1,000,000 orders): newest first by state, by type
-- and by provider; "mine" and a number search count from their index.
CREATE INDEX orders_state_created ON orders(state, created_at, region_code);
CREATE INDEX orders_type_created ON orders(type, created_at, region_code);
CREATE INDEX orders_assignee_created ON orders(assignee_org_id, created_at, urgency, region_code);
DROP INDEX orders_creator;
CREATE INDEX orders_creator ON orders(created_by, created_at, region_code);
CREATE INDEX orders_number_region ON orders(number, region_code);
