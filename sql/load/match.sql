-- Listing -> parcel matching and the manager history (pipeline/stages/match.c), run
-- once after the files of a load, in one transaction, when a load of listings or
-- parcels left a row in etl.load_match_pending (nothing else changes what it
-- reads).  Every listing without a parcel is tried again on each such run, in
-- order of confidence; a listing nothing matches keeps tmk NULL and is never
-- dropped.  $1 run id, $2 source.

-- 1. tmk_in_listing: the TMK the parser found in the listing (licence field,
--    description, JSON-LD identifier).  A well-formed TMK the registry does not
--    know yet is added to it: the listing is the evidence (the earliest seen;
--    between listings seen the same day, the first by source, platform and id).
-- @final
INSERT INTO external.properties (tmk, sources, first_seen, last_seen, first_run_id, last_run_id)
SELECT DISTINCT ON (l.tmk_raw) l.tmk_raw::external.tmk, ARRAY[l.source], l.last_seen, l.last_seen,
       $1, $1
  FROM etl.listings l
 WHERE l.tmk IS NULL AND etl.load_tmk_ok(l.tmk_raw)
 ORDER BY l.tmk_raw, l.last_seen, l.source, l.platform, l.listing_id
ON CONFLICT (tmk) DO NOTHING

-- @final
UPDATE etl.listings l
   SET tmk = l.tmk_raw, tmk_match_method = 'tmk_in_listing', tmk_match_confidence = 0.98,
       last_run_id = $1
 WHERE l.tmk IS NULL AND etl.load_tmk_ok(l.tmk_raw)
   AND EXISTS (SELECT 1 FROM external.properties p WHERE p.tmk = l.tmk_raw)

-- TAT ids of listings matched by their TMK become known ties of the parcel.
-- @final
UPDATE external.properties p
   SET tat_ids = etl.load_merge_array(p.tat_ids::text[], x.ids)::external.tax_id[],
       last_run_id = $1
  FROM (SELECT l.tmk, array_agg(DISTINCT t::text) AS ids
          FROM etl.listings l, unnest(l.tat_ids) AS t
         WHERE l.tmk_match_method IN ('tmk_in_listing', 'manual')
         GROUP BY l.tmk) x
 WHERE p.tmk = x.tmk AND NOT (p.tat_ids::text[] @> x.ids)
   -- (joined by key alone: the keys also given as an array, 098, were sorted
   -- again for each listing when the statistics, taken before the match,
   -- made it a nested loop: 36 s for 15,750 listings; t0716)

-- 2. tat_id: a TAT id tied to exactly one parcel.
-- @final
WITH c AS (
    SELECT l.platform, l.listing_id, min(p.tmk) AS tmk, count(DISTINCT p.tmk) AS n
      FROM etl.listings l
      JOIN external.properties p ON p.tat_ids && l.tat_ids
     WHERE l.tmk IS NULL AND cardinality(l.tat_ids) > 0
     GROUP BY l.platform, l.listing_id)
UPDATE etl.listings l
   SET tmk = c.tmk, tmk_match_method = 'tat_id', tmk_match_confidence = 0.90, last_run_id = $1
  FROM c
 WHERE l.platform = c.platform AND l.listing_id = c.listing_id AND c.n = 1

-- 3. address: normalized street address and unit equal to exactly one parcel's.
-- @final
WITH c AS (
    SELECT l.platform, l.listing_id, min(p.tmk) AS tmk, count(*) AS n, l.unit IS NOT NULL AS has_unit
      FROM etl.listings l
      JOIN external.properties p
        ON p.address_key = l.address_key AND p.unit IS NOT DISTINCT FROM l.unit
       AND (l.county IS NULL OR p.county = l.county)
     WHERE l.tmk IS NULL AND l.address_key IS NOT NULL
     GROUP BY l.platform, l.listing_id, l.unit)
UPDATE etl.listings l
   SET tmk = c.tmk, tmk_match_method = 'address',
       tmk_match_confidence = CASE WHEN c.has_unit THEN 0.85 ELSE 0.75 END, last_run_id = $1
  FROM c
 WHERE l.platform = c.platform AND l.listing_id = c.listing_id AND c.n = 1

-- 4. geo: the nearest parcel within 200 m (coordinates are blurred up to
--    ~150 m) whose type and bedrooms agree (the listing's platform type,
--    e.g. Entire condo, read by etl.load_property_type); confidence falls with
--    the distance and with the number of candidates.
-- @final
--    The parcels near a listing come from the point index (properties_geo_idx,
--    098) through a box a few metres wider than the exact bounds, which follow.
WITH c AS (
    SELECT l.platform, l.listing_id, g.tmk, g.d, g.n
      FROM etl.listings l
     CROSS JOIN LATERAL (SELECT etl.load_property_type(l.property_type) AS property_type OFFSET 0) lt
     CROSS JOIN LATERAL (
           SELECT p.tmk,
                  etl.load_distance_m(l.latitude::float8, l.longitude::float8,
                                      p.latitude::float8, p.longitude::float8) AS d,
                  count(*) OVER () AS n
             FROM external.properties p
            WHERE p.latitude IS NOT NULL
              AND point(p.longitude::float8, p.latitude::float8)
                  <@ box(point(l.longitude::float8 - 0.00215, l.latitude::float8 - 0.00195),
                         point(l.longitude::float8 + 0.00215, l.latitude::float8 + 0.00195))
              AND p.latitude BETWEEN l.latitude - 0.0019 AND l.latitude + 0.0019
              AND p.longitude BETWEEN l.longitude - 0.0021 AND l.longitude + 0.0021
              AND (l.county IS NULL OR p.county = l.county)
              AND p.property_type IS NOT DISTINCT FROM lt.property_type
              AND p.bedrooms IS NOT DISTINCT FROM l.bedrooms
            ORDER BY 2, p.tmk
            LIMIT 1) g
     WHERE l.tmk IS NULL AND l.latitude IS NOT NULL
       AND (l.property_type IS NOT NULL OR l.bedrooms IS NOT NULL)
       AND g.d <= 200)
UPDATE etl.listings l
   SET tmk = c.tmk, tmk_match_method = 'geo',
       tmk_match_confidence = round(greatest(0.40, 0.70 - c.d / 1000.0 - (c.n - 1) * 0.05)::numeric, 4),
       last_run_id = $1
  FROM c
 WHERE l.platform = c.platform AND l.listing_id = c.listing_id

-- Manager history.  Per parcel, the manager of its most recently seen active
-- matched listing (ties: the most confident match, then platform and id).
-- @final
CREATE TEMP TABLE load_mgr ON COMMIT DROP AS
SELECT DISTINCT ON (l.tmk)
       l.tmk, l.manager_key, l.manager_name, coalesce(l.is_self_managed, false) AS self_managed,
       l.platform, l.listing_id, l.host_id, l.host_name, l.host_listings_count, l.last_seen AS seen_on,
       l.source, l.tmk_match_method, l.tmk_match_confidence
  FROM etl.listings l
 WHERE l.tmk IS NOT NULL AND l.is_active AND coalesce(l.manager_key, '') <> ''
 ORDER BY l.tmk, l.last_seen DESC, l.tmk_match_confidence DESC, l.platform, l.listing_id

-- the same manager seen later: only the confirmation date moves
-- @final
UPDATE external.property_managers m
   SET last_confirmed_on = c.seen_on, last_run_id = $1
  FROM load_mgr c
 WHERE m.tmk = c.tmk AND m.is_current AND m.manager_key = c.manager_key
   AND c.seen_on > coalesce(m.last_confirmed_on, m.valid_from)

-- a different manager seen after the current row began: close it, record the event
-- @final
WITH closed AS (
    UPDATE external.property_managers m
       SET valid_to = c.seen_on, is_current = false, last_run_id = $1
      FROM load_mgr c
     WHERE m.tmk = c.tmk AND m.is_current AND m.manager_key <> c.manager_key
       AND c.seen_on > m.valid_from
    RETURNING m.tmk, m.manager_key AS old_key, m.manager_name AS old_name, m.valid_from AS old_from,
              c.manager_key, c.manager_name, c.seen_on, c.platform, c.listing_id)
INSERT INTO etl.change_events (event_type, event_key, tmk, platform, listing_id, occurred_on,
                               old_value, new_value, run_id)
SELECT 'manager_changed', tmk || ':' || seen_on, tmk, platform, listing_id, seen_on,
       jsonb_build_object('manager_key', old_key, 'manager_name', old_name, 'since', old_from),
       jsonb_build_object('manager_key', manager_key, 'manager_name', manager_name), $1
  FROM closed
ON CONFLICT (event_type, event_key) DO NOTHING

-- open a current row where there is none (first sighting, or just closed)
-- @final
INSERT INTO external.property_managers (
       tmk, manager_key, manager_name, manager_kind, is_self_managed, host_ids, listing_refs,
       evidence, confidence, valid_from, last_confirmed_on, source, first_run_id, last_run_id)
SELECT c.tmk, c.manager_key, c.manager_name,
       CASE WHEN c.self_managed OR c.manager_key LIKE 'host:%' THEN 'individual_host'
            ELSE 'pm_company' END,
       c.self_managed,
       CASE WHEN c.host_id IS NOT NULL THEN ARRAY[c.platform || ':' || c.host_id] ELSE '{}' END,
       ARRAY[c.platform || ':' || c.listing_id],
       jsonb_strip_nulls(jsonb_build_object('host_name', c.host_name,
                                            'host_listings', c.host_listings_count,
                                            'match_method', c.tmk_match_method)),
       c.tmk_match_confidence, c.seen_on, c.seen_on, c.source, $1, $1
  FROM load_mgr c
 WHERE NOT EXISTS (SELECT 1 FROM external.property_managers m WHERE m.tmk = c.tmk AND m.is_current)
   AND NOT EXISTS (SELECT 1 FROM external.property_managers m
                    WHERE m.tmk = c.tmk AND m.valid_from >= c.seen_on)

-- the current manager, denormalized for the lead engine
-- @final
UPDATE external.properties p
   SET current_manager_key = m.manager_key, current_manager_name = m.manager_name,
       is_self_managed = m.is_self_managed, last_run_id = $1
  FROM external.property_managers m
 WHERE m.tmk = p.tmk AND m.is_current
   -- (joined by key alone, as the TAT ids above)
   AND (p.current_manager_key, p.current_manager_name, p.is_self_managed)
       IS DISTINCT FROM (m.manager_key, m.manager_name, m.is_self_managed)
