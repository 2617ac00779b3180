-- 103_review_contributions_except.sql: a scoring with reviews already
-- carrying points no longer compares each of them with every review that
-- carries points.
--
-- etl.review_contributions (095) wrote 0 to the reviews that carry points no
-- more with an anti-join, NOT EXISTS over the materialized points per review.
-- The planner estimated a handful of reviews not at 0 (most are), and ran it
-- as a nested loop that scans the points for each of them: at bench scale 1
-- (1 M reviews), 16,434 reviews with points against 10,565 to keep, 27.7 s of
-- a leads run that had nothing to change, twice a night (mi-run's second
-- pass), 0.3 s at scale 0.1.  The same rows now come from a set difference
-- (EXCEPT), which is hashed or sorted whatever the estimates, then updated by
-- their key.  The same values, the same count returned.

CREATE OR REPLACE FUNCTION etl.review_contributions(p_as_of date, p_cfg jsonb) RETURNS bigint
    LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    rv_recent integer := etl.leads_setting(p_cfg, 'review_recent_days');
    changed bigint;
BEGIN
    IF to_regclass('pg_temp.ls_signals') IS NULL THEN
        RAISE EXCEPTION 'etl.review_contributions reads the signals of etl.score_leads: call it right after, in the same transaction'
            USING ERRCODE = '55000';
    END IF;
    -- a review signal's points, as the score shows them (score_signals keeps
    -- each contribution to the cent), are shared by the recent reviews of its
    -- aspect in proportion to how far each falls below the baseline the
    -- severity is measured from (the prior window's mean when above 0, else
    -- 0): severity = baseline - recent mean = the mean of (baseline - score).
    -- A review at or above the baseline carries nothing.  Cents are dealt by
    -- the largest remainder (ties: platform and review id), so the shares add
    -- up to the signal's points exactly.
    WITH sig AS MATERIALIZED (
        SELECT s.tmk, s.signal_key, s.evidence ->> 'aspect' AS aspect,
               round(round(s.contribution, 2) * 100) AS cents,
               greatest(0, coalesce((s.evidence ->> 'prior_mean')::numeric, 0)) AS base
          FROM pg_temp.ls_signals s
         WHERE s.lead_source_code = 'REVIEW_SIGNAL'
    ),
    -- the window's reviews of the properties with a review signal, read once
    -- by listing (they were joined to every signal before their property)
    rv AS MATERIALIZED (
        SELECT t.tmk, r.property_review_id, r.platform, r.review_id, r.aspect_scores
          FROM (SELECT DISTINCT g.tmk FROM sig g) t
          JOIN etl.listings l ON l.tmk = t.tmk
          JOIN external.property_reviews r ON r.platform = l.platform AND r.listing_id = l.listing_id
         WHERE r.review_date > p_as_of - rv_recent AND r.review_date <= p_as_of
    ),
    carrier AS (
        SELECT g.tmk, g.signal_key, g.cents, r.property_review_id, r.platform, r.review_id,
               greatest(0, g.base - (r.aspect_scores ->> g.aspect)::numeric) AS w
          FROM sig g
          JOIN rv r ON r.tmk = g.tmk
         WHERE r.aspect_scores ? g.aspect
    ),
    exact AS (
        SELECT c.*,
               CASE WHEN sum(c.w) OVER k > 0 THEN c.cents * c.w / sum(c.w) OVER k
                    ELSE c.cents / count(*) OVER k END AS share
          FROM carrier c
        WINDOW k AS (PARTITION BY c.tmk, c.signal_key)
    ),
    dealt AS (
        SELECT e.property_review_id, floor(e.share) AS whole,
               e.cents - sum(floor(e.share)) OVER k AS left_over,
               row_number() OVER (PARTITION BY e.tmk, e.signal_key
                                  ORDER BY e.share - floor(e.share) DESC, e.platform, e.review_id)
                   AS rank
          FROM exact e
        WINDOW k AS (PARTITION BY e.tmk, e.signal_key)
    ),
    per_review AS MATERIALIZED (
        SELECT d.property_review_id,
               sum(d.whole + CASE WHEN d.rank <= d.left_over THEN 1 ELSE 0 END) / 100 AS points
          FROM dealt d
         GROUP BY d.property_review_id
    ),
    -- the reviews that carry points, by their key; every other review gets 0,
    -- written only where it is not 0 yet: the reviews not at 0 less those
    -- that carry points, a set difference (hashed or sorted, never a loop
    -- over one side for each row of the other), then by key
    carrying AS (
        UPDATE external.property_reviews r
           SET opportunity_contribution = p.points
          FROM per_review p
         WHERE r.property_review_id = p.property_review_id
           AND r.opportunity_contribution IS DISTINCT FROM p.points
        RETURNING 1),
    others AS (
        UPDATE external.property_reviews r
           SET opportunity_contribution = 0
          FROM (SELECT x.property_review_id FROM external.property_reviews x
                 WHERE x.opportunity_contribution IS DISTINCT FROM 0
                EXCEPT
                SELECT p.property_review_id FROM per_review p) z
         WHERE r.property_review_id = z.property_review_id
        RETURNING 1)
    SELECT (SELECT count(*) FROM carrying) + (SELECT count(*) FROM others) INTO changed;
    RETURN changed;
END
$$;
