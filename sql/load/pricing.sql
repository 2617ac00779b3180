-- pricing.tsv -> external.property_pricing, the merge path: used when the
-- file's snapshot date is already loaded (another source, a re-parse) or the
-- file holds several snapshot dates.  A new single-date snapshot takes the fast
-- path instead (built apart and attached, see pipeline/stages/load_pricing.c and
-- etl.load_pricing_attach).  Partitions are created when missing; a key seen
-- again is updated only when a value differs; within one file the first row
-- of a key wins, as on the fast path.  See properties.sql for the parameters
-- and tags.

-- @reject
SELECT rn, 'no_key', 'calendar row lacks platform, listing id, snapshot date or stay date',
       src_line, src_offset, landing_hash, src_path, left(s::text, 400)
  FROM stg s
 WHERE rn BETWEEN $3 AND $4
   AND (coalesce(platform, '') = '' OR coalesce(listing_id, '') = ''
        OR coalesce(snapshot_date, '') = '' OR coalesce(stay_date, '') = '')

-- @step
SELECT external.ensure_pricing_partition(d)
  FROM (SELECT DISTINCT snapshot_date::date AS d
          FROM stg
         WHERE rn BETWEEN $3 AND $4 AND coalesce(snapshot_date, '') <> '') x

-- @count
-- Inserted or updated: RETURNING (xmax = 0) cannot be asked of a partitioned
-- table whose partition needs its rows converted (the snapshot partitions are
-- built apart and attached: "cannot retrieve a system column in this
-- context"), so whether a key existed is looked up before the statement (its
-- sub-statements share one snapshot) and joined to what it returns.
WITH s AS (
    SELECT DISTINCT ON (platform, listing_id, snapshot_date::date, stay_date::date)
           platform, listing_id, snapshot_date::date AS snapshot_date,
           stay_date::date AS stay_date, nullif(available, '')::boolean AS available,
           nullif(price, '')::numeric(14,2) AS price,
           nullif(adjusted_price, '')::numeric(14,2) AS adjusted_price,
           coalesce(nullif(currency, ''), 'USD') AS currency,
           nullif(min_nights, '')::integer AS min_nights,
           nullif(max_nights, '')::integer AS max_nights, coalesce(nullif(source, ''), $2) AS source
      FROM stg
     WHERE rn BETWEEN $3 AND $4
       AND coalesce(platform, '') <> '' AND coalesce(listing_id, '') <> ''
       AND coalesce(snapshot_date, '') <> '' AND coalesce(stay_date, '') <> ''
     ORDER BY platform, listing_id, snapshot_date::date, stay_date::date, rn),
k AS (
    SELECT s.*, EXISTS (SELECT 1 FROM external.property_pricing t
                         WHERE t.platform = s.platform AND t.listing_id = s.listing_id
                           AND t.snapshot_date = s.snapshot_date AND t.stay_date = s.stay_date)
                AS existed
      FROM s),
up AS (
    INSERT INTO external.property_pricing AS t (
           platform, listing_id, snapshot_date, stay_date, available, nightly_rate, adjusted_rate,
           currency, min_nights, max_nights, source)
    SELECT platform, listing_id, snapshot_date, stay_date, available, price, adjusted_price,
           currency, min_nights, max_nights, source
      FROM k
    ON CONFLICT (platform, listing_id, snapshot_date, stay_date) DO UPDATE SET
           available = EXCLUDED.available, nightly_rate = EXCLUDED.nightly_rate,
           adjusted_rate = EXCLUDED.adjusted_rate, currency = EXCLUDED.currency,
           min_nights = EXCLUDED.min_nights, max_nights = EXCLUDED.max_nights,
           source = EXCLUDED.source
     WHERE (t.available, t.nightly_rate, t.adjusted_rate, t.currency, t.min_nights, t.max_nights,
            t.source)
           IS DISTINCT FROM
           (EXCLUDED.available, EXCLUDED.nightly_rate, EXCLUDED.adjusted_rate, EXCLUDED.currency,
            EXCLUDED.min_nights, EXCLUDED.max_nights, EXCLUDED.source)
    RETURNING t.platform, t.listing_id, t.snapshot_date, t.stay_date)
SELECT NOT k.existed
  FROM up JOIN k ON k.platform = up.platform AND k.listing_id = up.listing_id
                AND k.snapshot_date = up.snapshot_date AND k.stay_date = up.stay_date
