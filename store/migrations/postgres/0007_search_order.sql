-- Searches read a page in index order, or sort index entries rather than
-- rows: letters list pinyin matches by (name_pinyin, id), then initials
-- matches by (name_initials, name_pinyin, id) (wx: 17,000 of a city's
-- elders); a name prefix (王秀: 1,400) sorts its entries by pinyin from
-- the name index. The region code rides along so that a street's search
-- filters its elders in the index without reading the rest of the city.
DROP INDEX elders_pinyin;
CREATE INDEX elders_pinyin ON elders(name_pinyin, id, region_code);
DROP INDEX elders_initials;
CREATE INDEX elders_initials ON elders(name_initials, name_pinyin, id, region_code);
DROP INDEX elders_name;
CREATE INDEX elders_name ON elders(name, name_pinyin, region_code);
