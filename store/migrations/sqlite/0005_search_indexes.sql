-- Name searches within a street or committee: the region range and the
-- name prefix from one index instead of filtering every namesake of the city.
CREATE INDEX elders_region_name ON elders(region_code, name);
