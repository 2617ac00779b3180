-- 108_review_load_digest.sql: a review the night's file repeats as it was
-- is set apart by a digest of its file row, not by converting and comparing
-- every field.
--
-- The reviews file is cumulative: at bench scale 1 the next night's 1.01 M
-- rows hold 10,000 new reviews.  The merge (sql/load/reviews.sql) converted
-- every staged row (dates, numbers, two JSON documents), sorted the 1 M
-- converted rows on disk to keep the last of each key, and compared each
-- with its stored row, field by field: 10.2 s of the 16.8 s load, to change
-- nothing in 99 rows of 100.  Now each review keeps load_digest, a 64-bit
-- hash (hashtextextended, seed 0) of the file fields its values came from:
-- the sixteen fields the merge compares, as one row's text, provenance left
-- out.  (MD5 cost 2.4 s for the 1 M rows, this hash 1.1 s; two versions of
-- one review that hash alike, the one way a change could be missed, have a
-- chance of 2^-64.)  The merge digests every staged row and joins the
-- digests with the stored ones on the key: a key whose rows all carry the
-- stored digest is left as it is (applying the same file row again changes
-- nothing: each field is either replaced by the file's or, when the file has
-- none, kept); the other keys go through the merge as before.
--
-- On the database MI_BENCH_KEEP=1 make bench-night leaves, with
-- that night's file less its last lines (1,009,994 known reviews), the
-- statement took 2.8 s instead of 10.2 s, and the file's load 7.2 s instead
-- of 14.5 s (mi-load --dry-run, log_min_duration_statement).  The first load
-- after this migration writes the digests of the reviews it confirms, once:
-- 86 s for those 1 M reviews.
--
-- The digest stays true to the row:
--   * the merge writes it with the values it writes; a file row that changes
--     nothing but carries another digest (a review loaded before this
--     migration, a row without scores under a scored review) has its digest
--     written alone, once, which is not an update of the review: updated_at
--     and last_run_id stay, and it is counted unchanged;
--   * any other change of the compared fields (by hand, or a program other
--     than the merge) forgets the digest (trigger property_reviews_digest_
--     forget), so the next file row is compared field by field again.

ALTER TABLE external.property_reviews ADD COLUMN load_digest bigint;
COMMENT ON COLUMN external.property_reviews.load_digest IS
    '64-bit hash (hashtextextended(row(...)::text, 0)) of the file row the compared fields come from: the sixteen fields of reviews.tsv that mi-load merges (listing id to scorer version, as text, provenance left out; sql/load/reviews.sql). A later file row with the same digest changes nothing and is not merged again. Written by the merge only; NULL when unknown (a row loaded before sql/108, or whose compared fields changed otherwise).';

CREATE FUNCTION etl.review_digest_forget() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.load_digest := NULL;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION etl.review_digest_forget() IS
    'Trigger function of external.property_reviews (BEFORE UPDATE, when a compared field changes and the statement keeps load_digest): sets load_digest to NULL, so the next load compares that review field by field (108).';

CREATE TRIGGER property_reviews_digest_forget BEFORE UPDATE ON external.property_reviews
    FOR EACH ROW
    WHEN (OLD.load_digest IS NOT NULL
          AND NEW.load_digest IS NOT DISTINCT FROM OLD.load_digest
          AND (OLD.listing_id, OLD.review_date, OLD.reviewer_name, OLD.rating, OLD.rating_scale,
               OLD.category_ratings, OLD.review_text, OLD.host_response, OLD.language,
               OLD.sentiment_compound, OLD.sentiment_pos, OLD.sentiment_neu, OLD.sentiment_neg,
               OLD.aspect_scores, OLD.complaint_flags, OLD.scorer_version)
              IS DISTINCT FROM
              (NEW.listing_id, NEW.review_date, NEW.reviewer_name, NEW.rating, NEW.rating_scale,
               NEW.category_ratings, NEW.review_text, NEW.host_response, NEW.language,
               NEW.sentiment_compound, NEW.sentiment_pos, NEW.sentiment_neu, NEW.sentiment_neg,
               NEW.aspect_scores, NEW.complaint_flags, NEW.scorer_version))
    EXECUTE FUNCTION etl.review_digest_forget();
COMMENT ON TRIGGER property_reviews_digest_forget ON external.property_reviews IS
    'A change of a compared field that does not write load_digest (by hand, or another program) forgets the digest (etl.review_digest_forget, 108).';

-- an update that writes the digest alone is not an update of the review
DROP TRIGGER property_reviews_touch ON external.property_reviews;
CREATE TRIGGER property_reviews_touch BEFORE UPDATE ON external.property_reviews
    FOR EACH ROW
    WHEN (NEW.load_digest IS NOT DISTINCT FROM OLD.load_digest
          OR to_jsonb(NEW) - 'load_digest' - 'updated_at' IS DISTINCT FROM
             to_jsonb(OLD) - 'load_digest' - 'updated_at')
    EXECUTE FUNCTION etl.touch_updated_at();
COMMENT ON TRIGGER property_reviews_touch ON external.property_reviews IS
    'Sets updated_at (etl.touch_updated_at) on every update but one that writes load_digest alone (108).';
