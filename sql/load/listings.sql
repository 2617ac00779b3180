-- listings.tsv -> etl.listings, upserted by (platform, listing_id).  The TMK the
-- parser found goes to tmk_raw: tmk itself is set by the matching (match.sql),
-- which runs after the files.  A new listing records listing_appeared; a
-- nightly price that moved by more than mi.price_change_share (default 0.20)
-- since the listing was last seen records price_changed; after the whole file,
-- this source's active listings not seen in it are marked disappeared
-- (listing_disappeared).  See properties.sql for the parameters and tags.

-- @reject
SELECT rn, 'no_listing_id', 'listing has no platform or listing id', src_line, src_offset,
       landing_hash, src_path, left(s::text, 400)
  FROM stg s
 WHERE rn BETWEEN $3 AND $4 AND (coalesce(platform, '') = '' OR coalesce(listing_id, '') = '')

-- @step
WITH s AS (
    SELECT DISTINCT ON (platform, listing_id) platform, listing_id,
           nullif(nightly_price, '')::numeric AS price,
           coalesce(nullif(snapshot_date, '')::date, $6) AS seen_on
      FROM stg
     WHERE rn BETWEEN $3 AND $4 AND coalesce(platform, '') <> '' AND coalesce(listing_id, '') <> ''
     ORDER BY platform, listing_id, rn DESC)
INSERT INTO etl.change_events (event_type, event_key, platform, listing_id, tmk, occurred_on,
                               old_value, new_value, change_pct, run_id)
SELECT 'price_changed', s.platform || ':' || s.listing_id || ':' || s.seen_on, s.platform,
       s.listing_id, l.tmk, s.seen_on,
       jsonb_build_object('nightly_price', l.nightly_price, 'seen_on', l.last_seen),
       jsonb_build_object('nightly_price', s.price, 'seen_on', s.seen_on),
       round((s.price - l.nightly_price) / l.nightly_price * 100, 2), $1
  FROM s JOIN etl.listings l ON l.platform = s.platform AND l.listing_id = s.listing_id
 WHERE l.nightly_price > 0 AND s.price IS NOT NULL AND s.seen_on > l.last_seen
   AND abs(s.price - l.nightly_price) / l.nightly_price
       > coalesce(nullif(current_setting('mi.price_change_share', true), '')::numeric, 0.20)
ON CONFLICT (event_type, event_key) DO NOTHING

-- @count
WITH s AS (
    SELECT DISTINCT ON (platform, listing_id)
           platform, listing_id, coalesce(nullif(source, ''), $2) AS source,
           nullif(url, '') AS url, nullif(name, '') AS name, nullif(host_id, '') AS host_id,
           nullif(host_name, '') AS host_name, nullif(host_listings, '')::integer AS host_listings,
           nullif(manager_name, '') AS manager_name, nullif(manager_key, '') AS manager_key,
           nullif(self_managed, '')::boolean AS self_managed, nullif(tmk, '') AS tmk_raw,
           etl.load_split_ids(tat_ids)::external.tax_id[] AS tat_ids,
           etl.load_split_ids(str_permit) AS str_permit_ids, nullif(license_raw, '') AS license_raw,
           nullif(address, '') AS address, nullif(address_key, '') AS address_key,
           nullif(unit, '') AS unit, nullif(city, '') AS city, nullif(zip, '') AS zip,
           nullif(county, '')::smallint AS county,
           nullif(lat, '')::numeric(9,6) AS latitude, nullif(lon, '')::numeric(10,6) AS longitude,
           nullif(property_type, '') AS property_type, nullif(room_type, '') AS room_type,
           nullif(bedrooms, '')::smallint AS bedrooms, nullif(bathrooms, '')::numeric(4,1) AS bathrooms,
           nullif(accommodates, '')::smallint AS accommodates,
           nullif(nightly_price, '')::numeric(14,2) AS nightly_price,
           coalesce(nullif(currency, ''), 'USD') AS currency, nullif(rating, '')::numeric(5,2) AS rating,
           nullif(review_count, '')::integer AS review_count,
           nullif(last_review_date, '')::date AS last_review_date,
           coalesce(nullif(snapshot_date, '')::date, $6) AS seen_on,
           nullif(landing_hash, '') AS landing_hash, coalesce(nullif(extra, '')::jsonb, '{}') AS extra
      FROM stg
     WHERE rn BETWEEN $3 AND $4 AND coalesce(platform, '') <> '' AND coalesce(listing_id, '') <> ''
     ORDER BY platform, listing_id, rn DESC),
up AS (
    INSERT INTO etl.listings AS l (
           platform, listing_id, source, url, name, host_id, host_name, host_listings_count,
           manager_name, manager_key, is_self_managed, tmk_raw, tat_ids, str_permit_ids,
           license_raw, address, address_key, unit, city, zip, county, latitude, longitude,
           property_type, room_type, bedrooms, bathrooms, accommodates, nightly_price, currency,
           rating, rating_scale, review_count, last_review_date, first_seen, last_seen,
           landing_hash, extra, first_run_id, last_run_id)
    SELECT platform, listing_id, source, url, name, host_id, host_name, host_listings,
           manager_name, manager_key, self_managed, tmk_raw, tat_ids, str_permit_ids, license_raw,
           address, address_key, unit, city, zip, county, latitude, longitude, property_type,
           room_type, bedrooms, bathrooms, accommodates, nightly_price, currency, rating,
           CASE WHEN rating IS NOT NULL THEN 5 END, review_count, last_review_date, seen_on,
           seen_on, landing_hash, extra, $1, $1
      FROM s
    ON CONFLICT (platform, listing_id) DO UPDATE SET
           source = EXCLUDED.source,
           url = coalesce(EXCLUDED.url, l.url), name = coalesce(EXCLUDED.name, l.name),
           host_id = coalesce(EXCLUDED.host_id, l.host_id),
           host_name = coalesce(EXCLUDED.host_name, l.host_name),
           host_listings_count = coalesce(EXCLUDED.host_listings_count, l.host_listings_count),
           manager_name = coalesce(EXCLUDED.manager_name, l.manager_name),
           manager_key = coalesce(EXCLUDED.manager_key, l.manager_key),
           is_self_managed = coalesce(EXCLUDED.is_self_managed, l.is_self_managed),
           tmk_raw = coalesce(EXCLUDED.tmk_raw, l.tmk_raw),
           tat_ids = etl.load_merge_array(l.tat_ids::text[], EXCLUDED.tat_ids::text[])::external.tax_id[],
           str_permit_ids = etl.load_merge_array(l.str_permit_ids, EXCLUDED.str_permit_ids),
           license_raw = coalesce(EXCLUDED.license_raw, l.license_raw),
           address = coalesce(EXCLUDED.address, l.address),
           address_key = coalesce(EXCLUDED.address_key, l.address_key),
           unit = coalesce(EXCLUDED.unit, l.unit), city = coalesce(EXCLUDED.city, l.city),
           zip = coalesce(EXCLUDED.zip, l.zip), county = coalesce(EXCLUDED.county, l.county),
           latitude = coalesce(EXCLUDED.latitude, l.latitude),
           longitude = coalesce(EXCLUDED.longitude, l.longitude),
           property_type = coalesce(EXCLUDED.property_type, l.property_type),
           room_type = coalesce(EXCLUDED.room_type, l.room_type),
           bedrooms = coalesce(EXCLUDED.bedrooms, l.bedrooms),
           bathrooms = coalesce(EXCLUDED.bathrooms, l.bathrooms),
           accommodates = coalesce(EXCLUDED.accommodates, l.accommodates),
           nightly_price = coalesce(EXCLUDED.nightly_price, l.nightly_price),
           currency = EXCLUDED.currency,
           rating = coalesce(EXCLUDED.rating, l.rating),
           rating_scale = coalesce(EXCLUDED.rating_scale, l.rating_scale),
           review_count = coalesce(EXCLUDED.review_count, l.review_count),
           last_review_date = coalesce(EXCLUDED.last_review_date, l.last_review_date),
           first_seen = least(l.first_seen, EXCLUDED.first_seen),
           last_seen = greatest(l.last_seen, EXCLUDED.last_seen),
           is_active = true, disappeared_on = NULL,
           landing_hash = coalesce(EXCLUDED.landing_hash, l.landing_hash),
           extra = l.extra || EXCLUDED.extra,
           last_run_id = EXCLUDED.last_run_id
     WHERE (l.source, l.url, l.name, l.host_id, l.host_name, l.host_listings_count,
            l.manager_name, l.manager_key, l.is_self_managed, l.tmk_raw, l.tat_ids::text[],
            l.str_permit_ids, l.license_raw, l.address, l.address_key, l.unit, l.city, l.zip,
            l.county, l.latitude, l.longitude, l.property_type, l.room_type, l.bedrooms,
            l.bathrooms, l.accommodates, l.nightly_price, l.currency, l.rating,
            l.review_count, l.last_review_date, l.first_seen, l.last_seen, l.is_active, l.extra)
           IS DISTINCT FROM
           (EXCLUDED.source, coalesce(EXCLUDED.url, l.url), coalesce(EXCLUDED.name, l.name),
            coalesce(EXCLUDED.host_id, l.host_id), coalesce(EXCLUDED.host_name, l.host_name),
            coalesce(EXCLUDED.host_listings_count, l.host_listings_count),
            coalesce(EXCLUDED.manager_name, l.manager_name),
            coalesce(EXCLUDED.manager_key, l.manager_key),
            coalesce(EXCLUDED.is_self_managed, l.is_self_managed),
            coalesce(EXCLUDED.tmk_raw, l.tmk_raw),
            etl.load_merge_array(l.tat_ids::text[], EXCLUDED.tat_ids::text[]),
            etl.load_merge_array(l.str_permit_ids, EXCLUDED.str_permit_ids),
            coalesce(EXCLUDED.license_raw, l.license_raw), coalesce(EXCLUDED.address, l.address),
            coalesce(EXCLUDED.address_key, l.address_key), coalesce(EXCLUDED.unit, l.unit),
            coalesce(EXCLUDED.city, l.city), coalesce(EXCLUDED.zip, l.zip),
            coalesce(EXCLUDED.county, l.county), coalesce(EXCLUDED.latitude, l.latitude),
            coalesce(EXCLUDED.longitude, l.longitude),
            coalesce(EXCLUDED.property_type, l.property_type),
            coalesce(EXCLUDED.room_type, l.room_type), coalesce(EXCLUDED.bedrooms, l.bedrooms),
            coalesce(EXCLUDED.bathrooms, l.bathrooms),
            coalesce(EXCLUDED.accommodates, l.accommodates),
            coalesce(EXCLUDED.nightly_price, l.nightly_price), EXCLUDED.currency,
            coalesce(EXCLUDED.rating, l.rating), coalesce(EXCLUDED.review_count, l.review_count),
            coalesce(EXCLUDED.last_review_date, l.last_review_date),
            least(l.first_seen, EXCLUDED.first_seen), greatest(l.last_seen, EXCLUDED.last_seen),
            true, l.extra || EXCLUDED.extra)
    RETURNING l.platform, l.listing_id, l.first_seen, l.name, l.url, (l.xmax = 0) AS inserted),
ev AS (
    INSERT INTO etl.change_events (event_type, event_key, platform, listing_id, occurred_on,
                                   new_value, run_id)
    SELECT 'listing_appeared', platform || ':' || listing_id, platform, listing_id, first_seen,
           jsonb_build_object('name', name, 'url', url), $1
      FROM up WHERE inserted
    ON CONFLICT (event_type, event_key) DO NOTHING)
SELECT inserted FROM up

-- @final
WITH cur AS (
    SELECT max(nullif(snapshot_date, '')::date) AS d FROM stg),
gone AS (
    UPDATE etl.listings l SET is_active = false, disappeared_on = cur.d, last_run_id = $1
      FROM cur
     WHERE cur.d IS NOT NULL AND l.source = $2 AND l.is_active AND l.last_seen < cur.d
       AND NOT EXISTS (SELECT 1 FROM stg s WHERE s.platform = l.platform AND s.listing_id = l.listing_id)
    RETURNING l.platform, l.listing_id, l.tmk, l.last_seen, l.disappeared_on)
INSERT INTO etl.change_events (event_type, event_key, platform, listing_id, tmk, occurred_on,
                               old_value, run_id)
SELECT 'listing_disappeared', platform || ':' || listing_id || ':' || disappeared_on, platform,
       listing_id, tmk, disappeared_on, jsonb_build_object('last_seen', last_seen), $1
  FROM gone
ON CONFLICT (event_type, event_key) DO NOTHING
