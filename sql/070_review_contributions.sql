-- 070_review_contributions.sql: each review's share of its property's score.
--
--   etl.review_contributions  called by mi-leads score right after
--                             etl.score_leads, in the same transaction: splits
--                             every review signal's points over the reviews
--                             that carried it and writes
--                             external.property_reviews.opportunity_contribution
--                             (0 for every other review), so that the
--                             contributions of a property's reviews add up, to
--                             the cent, to its review signals' contributions

CREATE FUNCTION etl.review_contributions(p_as_of date, p_cfg jsonb) RETURNS bigint
    LANGUAGE plpgsql AS $$
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
    WITH sig AS (
        SELECT s.tmk, s.signal_key, s.evidence ->> 'aspect' AS aspect,
               round(round(s.contribution, 2) * 100) AS cents,
               greatest(0, coalesce((s.evidence ->> 'prior_mean')::numeric, 0)) AS base
          FROM pg_temp.ls_signals s
         WHERE s.lead_source_code = 'REVIEW_SIGNAL'
    ),
    carrier AS (
        SELECT g.tmk, g.signal_key, g.cents, r.property_review_id, r.platform, r.review_id,
               greatest(0, g.base - (r.aspect_scores ->> g.aspect)::numeric) AS w
          FROM sig g
          JOIN etl.listings l ON l.tmk = g.tmk
          JOIN external.property_reviews r ON r.platform = l.platform AND r.listing_id = l.listing_id
         WHERE r.aspect_scores ? g.aspect
           AND r.review_date > p_as_of - rv_recent AND r.review_date <= p_as_of
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
    per_review AS (
        SELECT d.property_review_id,
               sum(d.whole + CASE WHEN d.rank <= d.left_over THEN 1 ELSE 0 END) / 100 AS points
          FROM dealt d
         GROUP BY d.property_review_id
    ),
    upd AS (
        UPDATE external.property_reviews r
           SET opportunity_contribution = coalesce(p.points, 0)
          FROM external.property_reviews r2
          LEFT JOIN per_review p ON p.property_review_id = r2.property_review_id
         WHERE r.property_review_id = r2.property_review_id
           AND r.opportunity_contribution IS DISTINCT FROM coalesce(p.points, 0)
        RETURNING 1)
    SELECT count(*) INTO changed FROM upd;
    RETURN changed;
END
$$;
COMMENT ON FUNCTION etl.review_contributions(date, jsonb) IS
    'The review half of mi-leads score, run right after etl.score_leads in its transaction (it reads the signals that function kept in the temporary table ls_signals; 55000 otherwise): every review signal''s contribution (review_<aspect>, to the cent as in score_signals) is shared by the reviews of its window (review_recent_days up to p_as_of) that mention the aspect, in proportion to how far each one''s aspect score falls below the baseline (the prior window''s mean when above 0, else 0), cents dealt by the largest remainder; the sum goes to external.property_reviews.opportunity_contribution, and every other review gets 0. The contributions of a property''s reviews add up exactly to its review signals'' contributions. Writes only the values that change; returns how many.';

COMMENT ON COLUMN external.property_reviews.opportunity_contribution IS
    'Points (0-100 scale) this review contributes to its property''s opportunity score, as last computed by mi-leads score (etl.review_contributions): its share of the property''s review_<aspect> signals, in proportion to how far its aspect score falls below the baseline of each; 0 for a review outside the signals'' window or carrying none. Over a property''s reviews they add up, to the cent, to its review signals'' contributions in score_signals. NULL until mi-leads has scored once.';
