-- Order lists on a million orders (issue 4): each saved view reads an
-- index that starts with what it filters on, so its count and page touch
-- the orders it lists, not every order of the area.
DROP INDEX orders_region_state;
CREATE INDEX orders_state_region ON orders(state, region_code, created_at);
CREATE INDEX orders_type_region ON orders(type, region_code, created_at);
CREATE INDEX orders_creator ON orders(created_by, created_at);
CREATE INDEX orders_overdue ON orders(region_code, next_due_at) WHERE overdue;
