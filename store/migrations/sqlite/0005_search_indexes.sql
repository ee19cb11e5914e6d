-- Name searches within a street or committee: the region range and the
-- name prefix from one index instead of filtering every namesake of the city.
CREATE INDEX elders_region_name ON elders(region_code, name);

-- Roster imports resolve committees by exact name ("源园居委会", "源园社区").
CREATE INDEX regions_name ON regions(name);
