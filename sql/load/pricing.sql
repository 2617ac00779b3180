-- pricing.tsv -> external.property_pricing, the merge path: used when the
-- file's snapshot date is already loaded (another source, a re-parse) or the
-- file holds several snapshot dates.  A new single-date snapshot takes the fast
-- path instead (built apart and attached, see pipeline/load.c and
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
INSERT INTO external.property_pricing AS t (
       platform, listing_id, snapshot_date, stay_date, available, nightly_rate, adjusted_rate,
       currency, min_nights, max_nights, source)
SELECT DISTINCT ON (platform, listing_id, snapshot_date::date, stay_date::date)
       platform, listing_id, snapshot_date::date, stay_date::date,
       nullif(available, '')::boolean, nullif(price, '')::numeric(14,2),
       nullif(adjusted_price, '')::numeric(14,2), coalesce(nullif(currency, ''), 'USD'),
       nullif(min_nights, '')::integer, nullif(max_nights, '')::integer,
       coalesce(nullif(source, ''), $2)
  FROM stg
 WHERE rn BETWEEN $3 AND $4
   AND coalesce(platform, '') <> '' AND coalesce(listing_id, '') <> ''
   AND coalesce(snapshot_date, '') <> '' AND coalesce(stay_date, '') <> ''
 ORDER BY platform, listing_id, snapshot_date::date, stay_date::date, rn
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
RETURNING (xmax = 0)
