-- reviews.tsv -> external.property_reviews, upserted by (platform, review_id).
-- A review of a listing not seen yet creates a stub etl.listings row (foreign
-- key).  Rescoring (a new mi-score run) replaces the scores and scored_at.
-- See properties.sql for the parameters and tags.

-- @reject
SELECT rn, 'no_review_id', 'review has no platform, listing id or review id', src_line,
       src_offset, landing_hash, src_path, left(s::text, 400)
  FROM stg s
 WHERE rn BETWEEN $3 AND $4
   AND (coalesce(platform, '') = '' OR coalesce(listing_id, '') = '' OR coalesce(review_id, '') = '')

-- @step
-- (one row per listing, the source of its first review: two rows with one key
-- would leave the stub's source to the plan; the first row of each listing is
-- found by hashing, not by sorting the file, and a known listing goes no further)
INSERT INTO etl.listings (platform, listing_id, source, first_seen, last_seen, first_run_id, last_run_id)
SELECT s.platform, s.listing_id, coalesce(nullif(s.source, ''), $2), $6, $6, $1, $1
  FROM (SELECT platform, listing_id, min(rn) AS rn
          FROM stg
         WHERE rn BETWEEN $3 AND $4
           AND coalesce(platform, '') <> '' AND coalesce(listing_id, '') <> ''
           AND coalesce(review_id, '') <> ''
         GROUP BY platform, listing_id) f
  JOIN stg s ON s.rn = f.rn
 WHERE NOT EXISTS (SELECT 1 FROM etl.listings l
                    WHERE l.platform = f.platform AND l.listing_id = f.listing_id)
 ORDER BY s.platform, s.listing_id
ON CONFLICT (platform, listing_id) DO NOTHING

-- @count
-- Each staged row's digest: a 64-bit hash of the sixteen fields compared
-- below, as text (external.property_reviews.load_digest, sql/108).
WITH d AS (
    SELECT platform, review_id,
           hashtextextended(row(listing_id, review_date, reviewer_name, rating, rating_scale,
                                category_ratings, text, host_response, language, compound, pos,
                                neu, neg, aspects, complaint_flags, scorer_version)::text, 0) AS digest
      FROM stg
     WHERE rn BETWEEN $3 AND $4
       AND coalesce(platform, '') <> '' AND coalesce(listing_id, '') <> '' AND coalesce(review_id, '') <> ''),
-- the keys with a row whose digest is not the stored one: a key whose rows
-- all repeat the file row the review was last merged from is left as it is
-- (merging that row again changes nothing), and only its key is read, in one
-- hash join, neither converted nor sorted (a night's cumulative file is
-- mostly known reviews)
k AS (
    SELECT DISTINCT d.platform, d.review_id
      FROM d LEFT JOIN external.property_reviews r
        ON r.platform = d.platform AND r.review_id = d.review_id
     WHERE r.load_digest IS DISTINCT FROM d.digest),
s AS (
    SELECT DISTINCT ON (platform, review_id)
           platform, review_id, listing_id, nullif(review_date, '')::date AS review_date,
           nullif(reviewer_name, '') AS reviewer_name, nullif(rating, '')::numeric(5,2) AS rating,
           nullif(rating_scale, '')::numeric(5,2) AS rating_scale,
           coalesce(nullif(category_ratings, '')::jsonb, '{}') AS category_ratings,
           nullif(text, '') AS review_text, nullif(host_response, '') AS host_response,
           nullif(language, '') AS language,
           nullif(compound, '')::numeric(5,4) AS compound, nullif(pos, '')::numeric(5,4) AS pos,
           nullif(neu, '')::numeric(5,4) AS neu, nullif(neg, '')::numeric(5,4) AS neg,
           coalesce(nullif(aspects, '')::jsonb, '{}') AS aspects,
           etl.load_codes(complaint_flags) AS complaint_flags,
           nullif(scorer_version, '') AS scorer_version,
           coalesce(nullif(source, ''), $2) AS source, nullif(landing_hash, '') AS landing_hash,
           nullif(src_line, '')::bigint AS src_line,
           hashtextextended(row(listing_id, review_date, reviewer_name, rating, rating_scale,
                                category_ratings, text, host_response, language, compound, pos,
                                neu, neg, aspects, complaint_flags, scorer_version)::text, 0) AS digest
      FROM stg JOIN k USING (platform, review_id)
     WHERE rn BETWEEN $3 AND $4
       AND coalesce(listing_id, '') <> ''
     ORDER BY platform, review_id, rn DESC),
-- the rows the upsert below would insert or change (changed), and those it
-- would leave as they are under another digest (their digest is written
-- alone, below): in one join, instead of one conflict each
c AS (
    SELECT s.*,
           r.review_id IS NULL
        OR (r.listing_id, r.review_date, r.reviewer_name, r.rating, r.rating_scale,
            r.category_ratings, r.review_text, r.host_response, r.language, r.sentiment_compound,
            r.sentiment_pos, r.sentiment_neu, r.sentiment_neg, r.aspect_scores, r.complaint_flags,
            r.scorer_version)
           IS DISTINCT FROM
           (s.listing_id, coalesce(s.review_date, r.review_date),
            coalesce(s.reviewer_name, r.reviewer_name), coalesce(s.rating, r.rating),
            coalesce(s.rating_scale, r.rating_scale),
            CASE WHEN s.category_ratings = '{}' THEN r.category_ratings
                 ELSE s.category_ratings END,
            coalesce(s.review_text, r.review_text),
            coalesce(s.host_response, r.host_response),
            coalesce(s.language, r.language),
            coalesce(s.compound, r.sentiment_compound),
            coalesce(s.pos, r.sentiment_pos),
            coalesce(s.neu, r.sentiment_neu),
            coalesce(s.neg, r.sentiment_neg),
            CASE WHEN s.scorer_version IS NOT NULL THEN s.aspects
                 ELSE r.aspect_scores END,
            CASE WHEN s.scorer_version IS NOT NULL THEN s.complaint_flags
                 ELSE r.complaint_flags END,
            coalesce(s.scorer_version, r.scorer_version)) AS changed,
           r.load_digest IS DISTINCT FROM s.digest AS other_digest
      FROM s LEFT JOIN external.property_reviews r
        ON r.platform = s.platform AND r.review_id = s.review_id),
-- a file row that changes nothing: its digest, written alone (not an update
-- of the review: no updated_at, no last_run_id, counted unchanged; sql/108)
dg AS (
    UPDATE external.property_reviews r
       SET load_digest = c.digest
      FROM c
     WHERE NOT c.changed AND c.other_digest
       AND r.platform = c.platform AND r.review_id = c.review_id),
up AS (
INSERT INTO external.property_reviews AS r (
       platform, review_id, listing_id, review_date, reviewer_name, rating, rating_scale,
       category_ratings, review_text, host_response, language, sentiment_compound, sentiment_pos,
       sentiment_neu, sentiment_neg, aspect_scores, complaint_flags, scorer_version, scored_at,
       source, landing_hash, src_line, first_run_id, last_run_id, load_digest)
SELECT platform, review_id, listing_id, review_date, reviewer_name, rating, rating_scale,
       category_ratings, review_text, host_response, language, compound, pos, neu, neg, aspects,
       complaint_flags, scorer_version, CASE WHEN scorer_version IS NOT NULL THEN now() END,
       source, landing_hash, src_line, $1, $1, digest
  FROM c
 WHERE changed
ON CONFLICT (platform, review_id) DO UPDATE SET
       listing_id = EXCLUDED.listing_id,
       review_date = coalesce(EXCLUDED.review_date, r.review_date),
       reviewer_name = coalesce(EXCLUDED.reviewer_name, r.reviewer_name),
       rating = coalesce(EXCLUDED.rating, r.rating),
       rating_scale = coalesce(EXCLUDED.rating_scale, r.rating_scale),
       category_ratings = CASE WHEN EXCLUDED.category_ratings = '{}' THEN r.category_ratings
                               ELSE EXCLUDED.category_ratings END,
       review_text = coalesce(EXCLUDED.review_text, r.review_text),
       host_response = coalesce(EXCLUDED.host_response, r.host_response),
       language = coalesce(EXCLUDED.language, r.language),
       sentiment_compound = coalesce(EXCLUDED.sentiment_compound, r.sentiment_compound),
       sentiment_pos = coalesce(EXCLUDED.sentiment_pos, r.sentiment_pos),
       sentiment_neu = coalesce(EXCLUDED.sentiment_neu, r.sentiment_neu),
       sentiment_neg = coalesce(EXCLUDED.sentiment_neg, r.sentiment_neg),
       aspect_scores = CASE WHEN EXCLUDED.scorer_version IS NOT NULL THEN EXCLUDED.aspect_scores
                            ELSE r.aspect_scores END,
       complaint_flags = CASE WHEN EXCLUDED.scorer_version IS NOT NULL THEN EXCLUDED.complaint_flags
                              ELSE r.complaint_flags END,
       scorer_version = coalesce(EXCLUDED.scorer_version, r.scorer_version),
       scored_at = coalesce(EXCLUDED.scored_at, r.scored_at),
       first_run_id = coalesce(r.first_run_id, EXCLUDED.first_run_id),
       last_run_id = EXCLUDED.last_run_id,
       load_digest = EXCLUDED.load_digest
 WHERE (r.listing_id, r.review_date, r.reviewer_name, r.rating, r.rating_scale,
        r.category_ratings, r.review_text, r.host_response, r.language, r.sentiment_compound,
        r.sentiment_pos, r.sentiment_neu, r.sentiment_neg, r.aspect_scores, r.complaint_flags,
        r.scorer_version)
       IS DISTINCT FROM
       (EXCLUDED.listing_id, coalesce(EXCLUDED.review_date, r.review_date),
        coalesce(EXCLUDED.reviewer_name, r.reviewer_name), coalesce(EXCLUDED.rating, r.rating),
        coalesce(EXCLUDED.rating_scale, r.rating_scale),
        CASE WHEN EXCLUDED.category_ratings = '{}' THEN r.category_ratings
             ELSE EXCLUDED.category_ratings END,
        coalesce(EXCLUDED.review_text, r.review_text),
        coalesce(EXCLUDED.host_response, r.host_response),
        coalesce(EXCLUDED.language, r.language),
        coalesce(EXCLUDED.sentiment_compound, r.sentiment_compound),
        coalesce(EXCLUDED.sentiment_pos, r.sentiment_pos),
        coalesce(EXCLUDED.sentiment_neu, r.sentiment_neu),
        coalesce(EXCLUDED.sentiment_neg, r.sentiment_neg),
        CASE WHEN EXCLUDED.scorer_version IS NOT NULL THEN EXCLUDED.aspect_scores
             ELSE r.aspect_scores END,
        CASE WHEN EXCLUDED.scorer_version IS NOT NULL THEN EXCLUDED.complaint_flags
             ELSE r.complaint_flags END,
        coalesce(EXCLUDED.scorer_version, r.scorer_version))
RETURNING (xmax = 0) AS inserted)
SELECT inserted FROM up
