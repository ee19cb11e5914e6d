-- Coverage of the registry (issue 6): the report reads an area's active
-- elders' region code, last contact and registration in one pass over this
-- index (status first: the report counts active elders only), grouped by
-- committee in its order, without touching the table; the never-reached
-- and at-risk lists count from it too.
CREATE INDEX elders_coverage ON elders(status, region_code, last_contact_at, created_at);
