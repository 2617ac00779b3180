-- sales.tsv -> external.property_sales: one row per recorded document, however
-- many parcels it covers (one file row per parcel).  Natural key sale_key =
-- county + document number, else Land Court number, else the record hash (the
-- parser's, or a SHA-256 of the row's content when it gave none).  Every parcel
-- of a deed is upserted into external.properties first (foreign key of tmk, and
-- tmks cannot have one).  A new sale records a sale_recorded change event.
-- See properties.sql for the parameters and tags.

-- @reject
SELECT rn, 'no_tmk', 'sale row has no TMK', src_line, src_offset, landing_hash, src_path,
       left(s::text, 400)
  FROM stg s
 WHERE rn BETWEEN $3 AND $4 AND coalesce(tmk, '') = ''

-- @step
INSERT INTO external.properties AS p (tmk, sources, first_seen, last_seen, first_run_id, last_run_id)
SELECT DISTINCT tmk::external.tmk, ARRAY[$2], $6, $6, $1, $1
  FROM stg
 WHERE rn BETWEEN $3 AND $4 AND coalesce(tmk, '') <> ''
ON CONFLICT (tmk) DO UPDATE SET
       sources = etl.load_merge_array(p.sources, EXCLUDED.sources),
       first_seen = least(p.first_seen, EXCLUDED.first_seen),
       last_seen = greatest(p.last_seen, EXCLUDED.last_seen),
       first_run_id = coalesce(p.first_run_id, EXCLUDED.first_run_id),
       last_run_id = EXCLUDED.last_run_id
 WHERE NOT (p.sources @> EXCLUDED.sources) OR p.last_seen < EXCLUDED.last_seen
    OR p.first_seen > EXCLUDED.first_seen

-- @count
WITH r AS (
    SELECT rn, tmk, coalesce(nullif(portion, ''), 'f')::boolean AS portion,
           nullif(doc_no, '') AS doc_no, nullif(land_court_no, '') AS lc,
           nullif(cert_no, '') AS cert_no, nullif(book, '') AS book, nullif(page, '') AS page,
           nullif(sale_date, '')::date AS sale_date, nullif(record_date, '')::date AS record_date,
           nullif(price, '')::numeric(14,2) AS price,
           nullif(conveyance_tax, '')::numeric(14,2) AS conveyance_tax,
           nullif(instrument_type, '') AS instrument_type, nullif(doc_type, '') AS doc_type,
           nullif(validity_code, '') AS validity_code, nullif(sale_type, '') AS sale_type,
           nullif(grantor, '') AS grantor, nullif(grantee, '') AS grantee,
           nullif(buyer_mailing_address, '') AS buyer_mailing_address,
           nullif(buyer_state, '') AS buyer_state, etl.load_codes(flags) AS flags,
           coalesce(nullif(source, ''), $2) AS source,
           nullif(landing_hash, '') AS landing_hash, nullif(src_line, '')::bigint AS src_line,
           substr(tmk, 1, 1)::smallint AS county,
           coalesce(nullif(record_hash, ''),
                    encode(sha256(convert_to(concat_ws('|', tmk, sale_date, record_date, price,
                                                       grantor, grantee, book, page), 'UTF8')), 'hex'))
               AS record_hash
      FROM stg
     WHERE rn BETWEEN $3 AND $4 AND coalesce(tmk, '') <> ''),
k AS (
    SELECT r.*, county::text || ':' || CASE WHEN doc_no IS NOT NULL THEN 'doc:' || doc_no
                                            WHEN lc IS NOT NULL THEN 'lc:' || lc
                                            ELSE 'hash:' || record_hash END AS sale_key
      FROM r),
g AS (
    SELECT sale_key, array_agg(DISTINCT tmk ORDER BY tmk) AS tmks,
           coalesce(array_agg(DISTINCT tmk ORDER BY tmk) FILTER (WHERE portion), '{}') AS portion_tmks,
           min(rn) AS first_rn
      FROM k GROUP BY sale_key),
up AS (
    INSERT INTO external.property_sales AS t (
           county, tmk, tmks, portion_tmks, document_no, land_court_no, certificate_no, book, page,
           record_hash, recording_date, sale_date, price, conveyance_tax, instrument_type,
           document_type, validity_code, sale_type, is_land_court, grantor, grantee,
           buyer_mailing_address, buyer_mailing_state, buyer_is_out_of_state, flags, source,
           landing_hash, src_line, first_run_id, last_run_id)
    SELECT k.county, k.tmk::external.tmk, g.tmks::external.tmk[], g.portion_tmks::external.tmk[],
           k.doc_no, k.lc, k.cert_no, k.book, k.page, k.record_hash, k.record_date, k.sale_date,
           k.price, k.conveyance_tax, k.instrument_type, k.doc_type, k.validity_code, k.sale_type,
           k.lc IS NOT NULL, k.grantor, k.grantee, k.buyer_mailing_address, k.buyer_state,
           k.buyer_state <> 'HI', k.flags, k.source, k.landing_hash, k.src_line, $1, $1
      FROM g JOIN k ON k.rn = g.first_rn
    ON CONFLICT (sale_key) DO UPDATE SET
           tmks = etl.load_merge_array(t.tmks::text[], EXCLUDED.tmks::text[])::external.tmk[],
           portion_tmks = etl.load_merge_array(t.portion_tmks::text[], EXCLUDED.portion_tmks::text[])::external.tmk[],
           recording_date = coalesce(EXCLUDED.recording_date, t.recording_date),
           sale_date = coalesce(EXCLUDED.sale_date, t.sale_date),
           price = coalesce(EXCLUDED.price, t.price),
           conveyance_tax = coalesce(EXCLUDED.conveyance_tax, t.conveyance_tax),
           grantor = coalesce(EXCLUDED.grantor, t.grantor),
           grantee = coalesce(EXCLUDED.grantee, t.grantee),
           buyer_mailing_address = coalesce(EXCLUDED.buyer_mailing_address, t.buyer_mailing_address),
           buyer_mailing_state = coalesce(EXCLUDED.buyer_mailing_state, t.buyer_mailing_state),
           buyer_is_out_of_state = coalesce(EXCLUDED.buyer_is_out_of_state, t.buyer_is_out_of_state),
           flags = etl.load_merge_array(t.flags, EXCLUDED.flags),
           first_run_id = coalesce(t.first_run_id, EXCLUDED.first_run_id),
           last_run_id = EXCLUDED.last_run_id
     WHERE (t.tmks::text[], t.portion_tmks::text[], t.recording_date, t.sale_date, t.price,
            t.conveyance_tax, t.grantor, t.grantee, t.buyer_mailing_address,
            t.buyer_mailing_state, t.buyer_is_out_of_state, t.flags)
           IS DISTINCT FROM
           (etl.load_merge_array(t.tmks::text[], EXCLUDED.tmks::text[]),
            etl.load_merge_array(t.portion_tmks::text[], EXCLUDED.portion_tmks::text[]),
            coalesce(EXCLUDED.recording_date, t.recording_date),
            coalesce(EXCLUDED.sale_date, t.sale_date), coalesce(EXCLUDED.price, t.price),
            coalesce(EXCLUDED.conveyance_tax, t.conveyance_tax),
            coalesce(EXCLUDED.grantor, t.grantor), coalesce(EXCLUDED.grantee, t.grantee),
            coalesce(EXCLUDED.buyer_mailing_address, t.buyer_mailing_address),
            coalesce(EXCLUDED.buyer_mailing_state, t.buyer_mailing_state),
            coalesce(EXCLUDED.buyer_is_out_of_state, t.buyer_is_out_of_state),
            etl.load_merge_array(t.flags, EXCLUDED.flags))
    RETURNING t.sale_key, t.tmk, t.tmks, t.price, t.grantee, t.document_no, t.land_court_no,
              t.recording_date, t.sale_date, t.buyer_is_out_of_state, (t.xmax = 0) AS inserted),
ev AS (
    INSERT INTO etl.change_events (event_type, event_key, tmk, occurred_on, new_value, run_id)
    SELECT 'sale_recorded', sale_key, tmk, coalesce(recording_date, sale_date, $6),
           jsonb_build_object('tmks', tmks, 'price', price, 'grantee', grantee,
                              'document_no', document_no, 'land_court_no', land_court_no,
                              'buyer_is_out_of_state', buyer_is_out_of_state),
           $1
      FROM up WHERE inserted
    ON CONFLICT (event_type, event_key) DO NOTHING)
SELECT inserted FROM up
