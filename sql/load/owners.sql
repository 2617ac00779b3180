-- owners.tsv -> the owner columns of external.properties (current owner), and an
-- owner_changed change event when a parcel's owner key changes.  See
-- properties.sql for the parameters and tags.  A parcel with several owner rows
-- keeps the last one of the file.

-- @reject
SELECT rn, 'no_tmk', 'record has no TMK', src_line, src_offset, landing_hash, src_path,
       left(s::text, 400)
  FROM stg s
 WHERE rn BETWEEN $3 AND $4 AND coalesce(tmk, '') = ''

-- @step
WITH s AS (
    SELECT DISTINCT ON (tmk) tmk, nullif(owner_key, '') AS owner_key,
           nullif(owner_name, '') AS owner_name, nullif(tax_year, '') AS tax_year
      FROM stg
     WHERE rn BETWEEN $3 AND $4 AND coalesce(tmk, '') <> ''
     ORDER BY tmk, rn DESC)
INSERT INTO etl.change_events (event_type, event_key, tmk, occurred_on, old_value, new_value, run_id)
SELECT 'owner_changed',
       p.tmk || ':' || s.owner_key || ':' || coalesce(s.tax_year, $6::text),
       p.tmk, $6,
       jsonb_build_object('owner_key', p.owner_key, 'owner_name', p.owner_name),
       jsonb_build_object('owner_key', s.owner_key, 'owner_name', s.owner_name), $1
  FROM s JOIN external.properties p ON p.tmk = s.tmk
 WHERE p.owner_key IS NOT NULL AND s.owner_key IS NOT NULL AND p.owner_key <> s.owner_key
ON CONFLICT (event_type, event_key) DO NOTHING

-- @count
WITH s AS (
    SELECT DISTINCT ON (tmk)
           tmk::external.tmk AS tmk, nullif(owner_name, '') AS owner_name,
           nullif(owner_display, '') AS owner_display,
           nullif(owner_key, '') AS owner_key, nullif(owner_kind, '') AS owner_kind,
           -- the care-of line without its "C/O" (the roll's column has it, a
           -- C/O tail of the owner name does not)
           nullif(regexp_replace(coalesce(care_of, ''),
                                 '^[[:space:]]*(c/o|c\.o\.|care of|attn:?)[[:space:]]*', '', 'i'), '')
               AS care_of,
           nullif(mailing_address, '') AS mailing_address, nullif(mailing_city, '') AS mailing_city,
           nullif(mailing_state, '') AS mailing_state, nullif(mailing_zip, '') AS mailing_zip,
           nullif(mailing_country, '') AS mailing_country, nullif(mailing_key, '') AS mailing_key,
           nullif(absentee, '')::boolean AS absentee, nullif(out_of_state, '')::boolean AS out_of_state,
           nullif(tax_year, '')::smallint AS tax_year,
           ARRAY[coalesce(nullif(source, ''), $2)] AS sources
      FROM stg
     WHERE rn BETWEEN $3 AND $4 AND coalesce(tmk, '') <> ''
     ORDER BY tmk, rn DESC),
-- the rows the upsert below would insert or change, in one join: a night's
-- roll is mostly owners as they were (the condition is the upsert's)
c AS (
    SELECT s.*
      FROM s LEFT JOIN external.properties p ON p.tmk = s.tmk
     WHERE p.tmk IS NULL
        OR (p.owner_name, p.owner_display, p.owner_key, p.owner_kind, p.owner_care_of, p.owner_mailing_address, p.owner_mailing_city,
            p.owner_mailing_state, p.owner_mailing_zip, p.owner_mailing_country, p.owner_mailing_key,
            p.owner_is_absentee, p.owner_out_of_state, p.owner_tax_year, p.sources,
            p.first_seen, p.last_seen)
           IS DISTINCT FROM
           (coalesce(s.owner_name, p.owner_name),
            coalesce(s.owner_display, p.owner_display), coalesce(s.owner_key, p.owner_key),
            coalesce(s.owner_kind, p.owner_kind),
            coalesce(s.care_of, p.owner_care_of),
            coalesce(s.mailing_address, p.owner_mailing_address),
            coalesce(s.mailing_city, p.owner_mailing_city),
            coalesce(s.mailing_state, p.owner_mailing_state),
            coalesce(s.mailing_zip, p.owner_mailing_zip),
            coalesce(s.mailing_country, p.owner_mailing_country),
            coalesce(s.mailing_key, p.owner_mailing_key),
            coalesce(s.absentee, p.owner_is_absentee),
            coalesce(s.out_of_state, p.owner_out_of_state),
            coalesce(s.tax_year, p.owner_tax_year),
            etl.load_merge_array(p.sources, s.sources), least(p.first_seen, $6),
            greatest(p.last_seen, $6)))
INSERT INTO external.properties AS p (
       tmk, owner_name, owner_display, owner_key, owner_kind, owner_care_of, owner_mailing_address, owner_mailing_city,
       owner_mailing_state, owner_mailing_zip, owner_mailing_country, owner_mailing_key,
       owner_is_absentee, owner_out_of_state, owner_tax_year, sources, first_seen, last_seen,
       first_run_id, last_run_id)
SELECT tmk, owner_name, owner_display, owner_key, owner_kind, care_of, mailing_address, mailing_city, mailing_state,
       mailing_zip, mailing_country, mailing_key, absentee, out_of_state, tax_year, sources,
       $6, $6, $1, $1
  FROM c
ON CONFLICT (tmk) DO UPDATE SET
       owner_name = coalesce(EXCLUDED.owner_name, p.owner_name),
       owner_display = coalesce(EXCLUDED.owner_display, p.owner_display),
       owner_key = coalesce(EXCLUDED.owner_key, p.owner_key),
       owner_kind = coalesce(EXCLUDED.owner_kind, p.owner_kind),
       owner_care_of = coalesce(EXCLUDED.owner_care_of, p.owner_care_of),
       owner_mailing_address = coalesce(EXCLUDED.owner_mailing_address, p.owner_mailing_address),
       owner_mailing_city = coalesce(EXCLUDED.owner_mailing_city, p.owner_mailing_city),
       owner_mailing_state = coalesce(EXCLUDED.owner_mailing_state, p.owner_mailing_state),
       owner_mailing_zip = coalesce(EXCLUDED.owner_mailing_zip, p.owner_mailing_zip),
       owner_mailing_country = coalesce(EXCLUDED.owner_mailing_country, p.owner_mailing_country),
       owner_mailing_key = coalesce(EXCLUDED.owner_mailing_key, p.owner_mailing_key),
       owner_is_absentee = coalesce(EXCLUDED.owner_is_absentee, p.owner_is_absentee),
       owner_out_of_state = coalesce(EXCLUDED.owner_out_of_state, p.owner_out_of_state),
       owner_tax_year = coalesce(EXCLUDED.owner_tax_year, p.owner_tax_year),
       sources = etl.load_merge_array(p.sources, EXCLUDED.sources),
       first_seen = least(p.first_seen, EXCLUDED.first_seen),
       last_seen = greatest(p.last_seen, EXCLUDED.last_seen),
       first_run_id = coalesce(p.first_run_id, EXCLUDED.first_run_id),
       last_run_id = EXCLUDED.last_run_id
 WHERE (p.owner_name, p.owner_display, p.owner_key, p.owner_kind, p.owner_care_of, p.owner_mailing_address, p.owner_mailing_city,
        p.owner_mailing_state, p.owner_mailing_zip, p.owner_mailing_country, p.owner_mailing_key,
        p.owner_is_absentee, p.owner_out_of_state, p.owner_tax_year, p.sources,
        p.first_seen, p.last_seen)
       IS DISTINCT FROM
       (coalesce(EXCLUDED.owner_name, p.owner_name),
        coalesce(EXCLUDED.owner_display, p.owner_display), coalesce(EXCLUDED.owner_key, p.owner_key),
        coalesce(EXCLUDED.owner_kind, p.owner_kind),
        coalesce(EXCLUDED.owner_care_of, p.owner_care_of),
        coalesce(EXCLUDED.owner_mailing_address, p.owner_mailing_address),
        coalesce(EXCLUDED.owner_mailing_city, p.owner_mailing_city),
        coalesce(EXCLUDED.owner_mailing_state, p.owner_mailing_state),
        coalesce(EXCLUDED.owner_mailing_zip, p.owner_mailing_zip),
        coalesce(EXCLUDED.owner_mailing_country, p.owner_mailing_country),
        coalesce(EXCLUDED.owner_mailing_key, p.owner_mailing_key),
        coalesce(EXCLUDED.owner_is_absentee, p.owner_is_absentee),
        coalesce(EXCLUDED.owner_out_of_state, p.owner_out_of_state),
        coalesce(EXCLUDED.owner_tax_year, p.owner_tax_year),
        etl.load_merge_array(p.sources, EXCLUDED.sources), least(p.first_seen, EXCLUDED.first_seen),
        greatest(p.last_seen, EXCLUDED.last_seen))
RETURNING (xmax = 0)
