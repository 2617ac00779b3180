-- properties.tsv -> external.properties, upserted by TMK.
--
-- Run by mi-load (pipeline/stages/load.c) inside the file's transaction over the
-- all-text staging table stg (columns of records.h plus rn, the row number).
-- Parameters: $1 run id, $2 source, $3..$4 the range of rn, $5 file name, $6
-- the day the file was seen (mi-load --date; mi-run gives its night's date,
-- a backfill the day it loads; without it, the server's today, asked once
-- per load): first_seen, last_seen and the change events' dates are that day.
-- Tags: @reject returns (rn, reason_code, reason, src_line, src_offset,
-- landing_hash, src_path, excerpt); @count returns one boolean per row written
-- (true inserted, false updated); @step is run for its effect; @final once after
-- all ranges.  A known value is never overwritten with an empty one; tax and
-- permit ids and sources accumulate; last_seen moves forward only.  A row
-- inserted or changed takes the run id ($1) as last_run_id (first_run_id when
-- new); a row the file confirms without a change is not rewritten.  The
-- county's property type is mapped by etl.load_property_type (the raw value
-- kept in extra.property_type_raw).

-- @reject
SELECT rn, 'no_tmk', 'record has no TMK', src_line, src_offset, landing_hash, src_path,
       left(s::text, 400)
  FROM stg s
 WHERE rn BETWEEN $3 AND $4 AND coalesce(tmk, '') = ''

-- @count
WITH s AS (
    SELECT DISTINCT ON (tmk)
           tmk::external.tmk AS tmk,
           nullif(address, '') AS address, nullif(address_key, '') AS address_key,
           nullif(unit, '') AS unit, nullif(city, '') AS city, nullif(zip, '') AS zip,
           nullif(island, '') AS island, nullif(district, '') AS district,
           nullif(lat, '')::numeric(9,6) AS latitude, nullif(lon, '')::numeric(10,6) AS longitude,
           pt.mapped AS property_type, nullif(bedrooms, '')::smallint AS bedrooms,
           nullif(bathrooms, '')::numeric(4,1) AS bathrooms, nullif(max_guests, '')::smallint AS max_guests,
           nullif(living_area_sqft, '')::integer AS living_area_sqft,
           nullif(land_area_sqft, '')::numeric(14,1) AS land_area_sqft,
           nullif(year_built, '')::smallint AS year_built, nullif(tax_class, '') AS tax_class,
           nullif(land_value, '')::numeric(14,2) AS land_value,
           nullif(building_value, '')::numeric(14,2) AS building_value,
           etl.load_split_ids(str_permit) AS str_permit_ids,
           etl.load_split_ids(tat_ids)::external.tax_id[] AS tat_ids,
           coalesce(nullif(extra, '')::jsonb, '{}')
               || CASE WHEN nullif(btrim(property_type), '') IS NOT NULL
                        AND property_type <> pt.mapped
                       THEN jsonb_build_object('property_type_raw', property_type)
                       ELSE '{}' END AS extra,
           ARRAY[coalesce(nullif(source, ''), $2)] AS sources
      FROM stg
     -- (the county's type mapped once a row: OFFSET 0 keeps the planner from
     -- copying the call into each use)
     CROSS JOIN LATERAL (SELECT etl.load_property_type(stg.property_type) AS mapped OFFSET 0) pt
     WHERE rn BETWEEN $3 AND $4 AND coalesce(tmk, '') <> ''
     ORDER BY tmk, rn DESC),
-- the rows the upsert below would insert or change, in one join: a night's
-- parcel layer is mostly parcels as they were, which would otherwise each pay
-- a speculative insert, a conflict and a filter (the condition is the upsert's)
c AS (
    SELECT s.*
      FROM s LEFT JOIN external.properties p ON p.tmk = s.tmk
     WHERE p.tmk IS NULL
        OR (p.address, p.address_key, p.unit, p.city, p.zip, p.island, p.district, p.latitude,
            p.longitude, p.property_type, p.bedrooms, p.bathrooms, p.max_guests, p.living_area_sqft,
            p.land_area_sqft, p.year_built, p.tax_class, p.assessed_land_value,
            p.assessed_building_value, p.str_permit_ids, p.tat_ids::text[], p.extra, p.sources,
            p.first_seen, p.last_seen)
           IS DISTINCT FROM
           (coalesce(s.address, p.address), coalesce(s.address_key, p.address_key),
            coalesce(s.unit, p.unit), coalesce(s.city, p.city),
            coalesce(s.zip, p.zip), coalesce(s.island, p.island),
            coalesce(s.district, p.district), coalesce(s.latitude, p.latitude),
            coalesce(s.longitude, p.longitude),
            coalesce(s.property_type, p.property_type),
            coalesce(s.bedrooms, p.bedrooms), coalesce(s.bathrooms, p.bathrooms),
            coalesce(s.max_guests, p.max_guests),
            coalesce(s.living_area_sqft, p.living_area_sqft),
            coalesce(s.land_area_sqft, p.land_area_sqft),
            coalesce(s.year_built, p.year_built), coalesce(s.tax_class, p.tax_class),
            coalesce(s.land_value, p.assessed_land_value),
            coalesce(s.building_value, p.assessed_building_value),
            etl.load_merge_array(p.str_permit_ids, s.str_permit_ids),
            etl.load_merge_array(p.tat_ids::text[], s.tat_ids::text[]),
            p.extra || s.extra, etl.load_merge_array(p.sources, s.sources),
            least(p.first_seen, $6),
            greatest(p.last_seen, $6)))
INSERT INTO external.properties AS p (
       tmk, address, address_key, unit, city, zip, island, district, latitude, longitude,
       property_type, bedrooms, bathrooms, max_guests, living_area_sqft, land_area_sqft,
       year_built, tax_class, assessed_land_value, assessed_building_value, str_permit_ids,
       tat_ids, extra, sources, first_seen, last_seen, first_run_id, last_run_id)
SELECT tmk, address, address_key, unit, city, zip, island, district, latitude, longitude,
       property_type, bedrooms, bathrooms, max_guests, living_area_sqft, land_area_sqft,
       year_built, tax_class, land_value, building_value, str_permit_ids, tat_ids, extra,
       sources, $6, $6, $1, $1
  FROM c
ON CONFLICT (tmk) DO UPDATE SET
       address = coalesce(EXCLUDED.address, p.address),
       address_key = coalesce(EXCLUDED.address_key, p.address_key),
       unit = coalesce(EXCLUDED.unit, p.unit),
       city = coalesce(EXCLUDED.city, p.city),
       zip = coalesce(EXCLUDED.zip, p.zip),
       island = coalesce(EXCLUDED.island, p.island),
       district = coalesce(EXCLUDED.district, p.district),
       latitude = coalesce(EXCLUDED.latitude, p.latitude),
       longitude = coalesce(EXCLUDED.longitude, p.longitude),
       property_type = coalesce(EXCLUDED.property_type, p.property_type),
       bedrooms = coalesce(EXCLUDED.bedrooms, p.bedrooms),
       bathrooms = coalesce(EXCLUDED.bathrooms, p.bathrooms),
       max_guests = coalesce(EXCLUDED.max_guests, p.max_guests),
       living_area_sqft = coalesce(EXCLUDED.living_area_sqft, p.living_area_sqft),
       land_area_sqft = coalesce(EXCLUDED.land_area_sqft, p.land_area_sqft),
       year_built = coalesce(EXCLUDED.year_built, p.year_built),
       tax_class = coalesce(EXCLUDED.tax_class, p.tax_class),
       assessed_land_value = coalesce(EXCLUDED.assessed_land_value, p.assessed_land_value),
       assessed_building_value = coalesce(EXCLUDED.assessed_building_value, p.assessed_building_value),
       str_permit_ids = etl.load_merge_array(p.str_permit_ids, EXCLUDED.str_permit_ids),
       tat_ids = etl.load_merge_array(p.tat_ids::text[], EXCLUDED.tat_ids::text[])::external.tax_id[],
       extra = p.extra || EXCLUDED.extra,
       sources = etl.load_merge_array(p.sources, EXCLUDED.sources),
       first_seen = least(p.first_seen, EXCLUDED.first_seen),
       last_seen = greatest(p.last_seen, EXCLUDED.last_seen),
       first_run_id = coalesce(p.first_run_id, EXCLUDED.first_run_id),
       last_run_id = EXCLUDED.last_run_id
 WHERE (p.address, p.address_key, p.unit, p.city, p.zip, p.island, p.district, p.latitude,
        p.longitude, p.property_type, p.bedrooms, p.bathrooms, p.max_guests, p.living_area_sqft,
        p.land_area_sqft, p.year_built, p.tax_class, p.assessed_land_value,
        p.assessed_building_value, p.str_permit_ids, p.tat_ids::text[], p.extra, p.sources,
        p.first_seen, p.last_seen)
       IS DISTINCT FROM
       (coalesce(EXCLUDED.address, p.address), coalesce(EXCLUDED.address_key, p.address_key),
        coalesce(EXCLUDED.unit, p.unit), coalesce(EXCLUDED.city, p.city),
        coalesce(EXCLUDED.zip, p.zip), coalesce(EXCLUDED.island, p.island),
        coalesce(EXCLUDED.district, p.district), coalesce(EXCLUDED.latitude, p.latitude),
        coalesce(EXCLUDED.longitude, p.longitude),
        coalesce(EXCLUDED.property_type, p.property_type),
        coalesce(EXCLUDED.bedrooms, p.bedrooms), coalesce(EXCLUDED.bathrooms, p.bathrooms),
        coalesce(EXCLUDED.max_guests, p.max_guests),
        coalesce(EXCLUDED.living_area_sqft, p.living_area_sqft),
        coalesce(EXCLUDED.land_area_sqft, p.land_area_sqft),
        coalesce(EXCLUDED.year_built, p.year_built), coalesce(EXCLUDED.tax_class, p.tax_class),
        coalesce(EXCLUDED.assessed_land_value, p.assessed_land_value),
        coalesce(EXCLUDED.assessed_building_value, p.assessed_building_value),
        etl.load_merge_array(p.str_permit_ids, EXCLUDED.str_permit_ids),
        etl.load_merge_array(p.tat_ids::text[], EXCLUDED.tat_ids::text[]),
        p.extra || EXCLUDED.extra, etl.load_merge_array(p.sources, EXCLUDED.sources),
        least(p.first_seen, EXCLUDED.first_seen), greatest(p.last_seen, EXCLUDED.last_seen))
RETURNING (xmax = 0)
