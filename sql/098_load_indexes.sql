-- 098_load_indexes.sql: two indexes of external.properties.
--
-- 1. The geo step of the listing -> parcel match
-- (sql/load/match.sql) looks for the parcels within ~200 m of each unmatched
-- listing.  Through the B-tree on (latitude, longitude) that read every parcel of
-- the listing's latitude band, whatever its longitude: the whole width of the
-- islands, so the step grew with listings x parcels (0.16 ms a listing at a tenth
-- of Hawaii, ten times that at full scale, for each of ten times the listings).
-- A GiST index on the parcel's point reads the box around the listing only; it
-- replaces the B-tree, which nothing else used.  The step keeps its exact
-- numeric bounds: the box is a few metres wider and only narrows the search.
--
-- 2. properties_last_seen_idx served no query (the only reader of last_seen, the
--    lead scoring, orders an owner's parcels by it), and every parcel written
--    paid an entry in it; it also made a move of last_seen alone an update of
--    every index, never a heap-only (HOT) one.

DROP INDEX external.properties_latlon_idx;
CREATE INDEX properties_geo_idx ON external.properties
    USING gist (point(longitude::float8, latitude::float8))
    WHERE latitude IS NOT NULL;
COMMENT ON INDEX external.properties_geo_idx IS
    'The parcel''s position as a point (x longitude, y latitude), for the geo step of the listing -> parcel match: parcels in a box around a listing (098).';

DROP INDEX external.properties_last_seen_idx;
