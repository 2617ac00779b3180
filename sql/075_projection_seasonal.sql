-- 075_projection_seasonal.sql: revenue projections month by month, from the
-- competitive set's calendar history (model seasonal-v1).
--
--   etl.projection_inputs     per open lead with any competitive set: its
--                             members (similarity, distance, trailing figures)
--                             and each member's booked, bookable and priced
--                             nights and booked revenue per calendar month of
--                             the last twelve complete months, with the
--                             settings: everything a projection is computed
--                             from, as one JSON object
--   etl.projection_outlook    confidence (low, medium, high) and range from the
--                             inputs: few, dissimilar or distant comps give low
--                             confidence and a wide range
--   etl.projection_months     the month-by-month figures of the three scenarios
--                             from the inputs alone (a pure function: a stored
--                             projection can be recomputed from its inputs)
--   etl.project_revenue       writes a projection (three scenario rows and their
--                             months) only when a lead's inputs differ from its
--                             latest projection's: a re-run, or the next night
--                             on the same data, writes nothing
--
-- Definitions and a worked example: docs/metrics.md, "Revenue projection".

ALTER TABLE homeowner_acquisition.revenue_projections
    DROP CONSTRAINT revenue_projections_key,
    ADD COLUMN confidence     text CHECK (confidence IN ('low', 'medium', 'high')),
    ADD COLUMN range_pct      etl.percent,
    ADD COLUMN inputs         jsonb CHECK (jsonb_typeof(inputs) = 'object'),
    ADD COLUMN inputs_sha256  etl.sha256,
    ADD CONSTRAINT revenue_projections_seasonal CHECK (
        model_version <> 'seasonal-v1'
        OR (confidence IS NOT NULL AND range_pct IS NOT NULL AND inputs IS NOT NULL
            AND inputs_sha256 IS NOT NULL));

CREATE INDEX revenue_projections_inputs_idx
    ON homeowner_acquisition.revenue_projections (tmk, model_version, scenario, revenue_projection_id DESC);

COMMENT ON TABLE homeowner_acquisition.revenue_projections IS
    'Revenue forecasts for a prospect''s property from its competitive set, one row per scenario (conservative = low, expected, optimistic = high) with the year''s totals; model seasonal-v1 (etl.project_revenue) adds the month-by-month figures in revenue_projection_months and keeps its inputs with it (inputs, inputs_sha256): a new set of rows is written only when a lead''s inputs differ from its latest projection''s. Rows of the earlier flat models (compset-v1, compset-v2: comp ADR x occupancy x nights) are kept as they were written. Never updated.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.scenario IS
    'conservative (the low case), expected or optimistic (the high case).';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.period_start IS
    'First night of the projected period (seasonal-v1: the first day of the month after the as-of date).';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.compset_computed_on IS
    'computed_on date of the external.competitive_sets rows used (seasonal-v1: of the set the inputs were read from; a later set with the same members and figures gives no new projection).';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.comp_count IS
    'Number of competitors whose figures were used (seasonal-v1: members with calendar nights or trailing figures).';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.adr IS
    'Projected average daily rate in USD over the period: gross_revenue / projected_nights (the comp set''s figure when no night is projected).';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.occupancy IS
    'Projected occupancy 0-1 of the available nights: projected_nights / available_nights.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.available_nights IS
    'Nights available to rent in the period: its nights minus the owner''s nights (owner_nights of the settings).';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.projected_nights IS
    'Projected booked nights: the sum of the months'' (each month''s available nights x its occupancy).';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.gross_revenue IS
    'Projected gross rent in USD: the sum of the months'' ADR x booked nights (the guest''s cleaning fee not included).';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.management_fee IS
    'Management fee in USD: the sum of the months'' gross x management_fee_pct / 100.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.cleaning_revenue IS
    'Not modelled (NULL): the projection counts the cost of the cleanings in operating_costs, not the guests'' cleaning fees.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.operating_costs IS
    'seasonal-v1: the costs the owner bears besides our fee, in USD: cleanings (cleaning_cost_per_stay per stay of average_stay_nights), GET and TAT (get_pct + tat_pct of the gross) and channel fees (channel_fee_pct of the gross); NULL for the earlier models.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.net_to_owner IS
    'Projected net to owner in USD: gross_revenue - management_fee - operating_costs (may be negative).';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.assumptions IS
    'The method, formulas and choices in words and figures as a JSON object (seasonal-v1: method, formula, confidence and why, months from the calendar and months filled, history window, costs).';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.model_version IS
    'Version of the projection model: seasonal-v1 (etl.project_revenue since sql/075), compset-v2, compset-v1 (earlier, flat rates).';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.confidence IS
    'seasonal-v1: low, medium or high (etl.projection_outlook): low with fewer than compset_min_members comps with figures, a mean similarity under compset_min_similarity or a median distance over distant_m; high with twice the members, a mean similarity of 0.75 or more and at least 9 months of calendar history; medium otherwise.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.range_pct IS
    'seasonal-v1: how far the low and high cases move ADR and occupancy from the expected case, in percent (range_low_pct, range_medium_pct or range_high_pct of the settings by confidence).';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.inputs IS
    'seasonal-v1: everything the projection was computed from (etl.projection_inputs): the period, the history window, the settings, and per comp its similarity, distance, trailing figures and monthly calendar counts; etl.projection_months(inputs) gives its figures again.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.inputs_sha256 IS
    'seasonal-v1: SHA-256 of inputs as text; etl.project_revenue writes a new projection only when it differs from the latest one''s.';

CREATE TABLE homeowner_acquisition.revenue_projection_months (
    revenue_projection_id  bigint NOT NULL
                           REFERENCES homeowner_acquisition.revenue_projections (revenue_projection_id),
    month                  date NOT NULL CHECK (extract(day FROM month) = 1),
    basis                  text NOT NULL CHECK (basis IN ('month', 'year', 'trailing')),
    days                   smallint NOT NULL CHECK (days BETWEEN 28 AND 31),
    available_nights       numeric(5,1) NOT NULL CHECK (available_nights >= 0),
    occupancy              etl.fraction NOT NULL,
    adr                    etl.money NOT NULL,
    projected_nights       numeric(5,1) NOT NULL CHECK (projected_nights >= 0),
    gross_revenue          etl.money NOT NULL,
    management_fee         etl.money NOT NULL,
    cleaning_costs         etl.money NOT NULL,
    taxes                  etl.money NOT NULL,
    channel_fees           etl.money NOT NULL,
    net_to_owner           numeric(14,2) NOT NULL,
    PRIMARY KEY (revenue_projection_id, month),
    CONSTRAINT revenue_projection_months_nights CHECK (projected_nights <= available_nights)
);

COMMENT ON TABLE homeowner_acquisition.revenue_projection_months IS
    'The months of a seasonal-v1 revenue projection (one row per scenario row and calendar month of its period), written with it by etl.project_revenue from etl.projection_months; the projection''s totals are their sums. Never updated.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projection_months.revenue_projection_id IS 'The projection (one scenario) the month belongs to.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projection_months.month IS 'First day of the calendar month.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projection_months.basis IS
    'Where its ADR and occupancy come from: month (the comps'' booked nights and ADR in the same calendar month of the history), year (the comps'' whole history: that month had fewer than month_min_nights bookable nights or no priced booking) or trailing (the comps'' trailing figures in external.competitive_sets: no usable calendar history).';
COMMENT ON COLUMN homeowner_acquisition.revenue_projection_months.days IS 'Nights in the month.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projection_months.available_nights IS 'days minus the owner''s nights spread over the year in proportion to the days.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projection_months.occupancy IS 'Projected occupancy 0-1 of the scenario.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projection_months.adr IS 'Projected ADR in USD of the scenario.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projection_months.projected_nights IS 'available_nights x occupancy, rounded to 0.1.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projection_months.gross_revenue IS 'adr x projected_nights.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projection_months.management_fee IS 'gross_revenue x management_fee_pct / 100.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projection_months.cleaning_costs IS 'projected_nights / average_stay_nights stays x cleaning_cost_per_stay.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projection_months.taxes IS 'GET and TAT: gross_revenue x (get_pct + tat_pct) / 100.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projection_months.channel_fees IS 'gross_revenue x channel_fee_pct / 100 (the booking sites'' host fees).';
COMMENT ON COLUMN homeowner_acquisition.revenue_projection_months.net_to_owner IS 'gross_revenue - management_fee - cleaning_costs - taxes - channel_fees (may be negative).';

-- ---------------------------------------------------------------------------
-- The inputs
-- ---------------------------------------------------------------------------
CREATE FUNCTION etl.projection_inputs(p_as_of date, p_cfg jsonb)
    RETURNS TABLE (prospect_property_id bigint, tmk text, computed_on date, inputs jsonb)
    LANGUAGE sql STABLE AS $$
    WITH span AS (
        SELECT (date_trunc('month', p_as_of) - interval '12 months')::date AS h_from,
               (date_trunc('month', p_as_of) - interval '1 day')::date AS h_to,
               (date_trunc('month', p_as_of) + interval '1 month')::date AS p_start,
               greatest(1, floor(etl.leads_setting(p_cfg, 'horizon_days') / 30.4))::integer AS months
    ),
    -- one lead per property (the first made for it owns its projections)
    lead AS (
        SELECT DISTINCT ON (pp.tmk) pp.prospect_property_id, pp.tmk::text AS tmk
          FROM homeowner_acquisition.prospect_properties pp
         WHERE pp.status NOT IN ('won', 'lost', 'disqualified')
         ORDER BY pp.tmk, pp.prospect_property_id
    ),
    latest AS (
        SELECT l.prospect_property_id, l.tmk, max(c.computed_on) AS computed_on
          FROM lead l
          JOIN external.competitive_sets c ON c.subject_tmk = l.tmk AND c.computed_on <= p_as_of
         GROUP BY l.prospect_property_id, l.tmk
    ),
    member AS (
        SELECT la.prospect_property_id, la.tmk, la.computed_on, c.competitor_key, c.competitor_tmk,
               c.competitor_platform, c.competitor_listing_id, c.similarity, c.distance_m,
               c.adr, c.occupancy
          FROM latest la
          JOIN external.competitive_sets c ON c.subject_tmk = la.tmk AND c.computed_on = la.computed_on
         WHERE c.similarity > 0
    ),
    -- the listings of every competitor: its own, or those matched to its parcel
    comp_listing AS (
        SELECT DISTINCT m.competitor_key, l.platform::text AS platform, l.listing_id::text AS listing_id
          FROM member m JOIN etl.listings l ON l.tmk = m.competitor_tmk
         WHERE m.competitor_tmk IS NOT NULL
        UNION
        SELECT m.competitor_key, m.competitor_platform, m.competitor_listing_id
          FROM member m WHERE m.competitor_tmk IS NULL
    ),
    -- a competitor's night: booked on any of its listings is booked
    night AS (
        SELECT cl.competitor_key, s.stay_date,
               bool_or(s.status = 'booked') AS booked,
               bool_or(s.status IN ('booked', 'available')) AS bookable,
               max(s.rate) FILTER (WHERE s.status = 'booked') AS rate
          FROM span, etl.calendar_night_status(p_as_of, span.h_from, span.h_to) s
          JOIN comp_listing cl ON cl.platform = s.platform AND cl.listing_id = s.listing_id
         GROUP BY cl.competitor_key, s.stay_date
    ),
    comp_month AS (
        SELECT n.competitor_key, extract(month FROM n.stay_date)::integer AS m,
               count(*) FILTER (WHERE n.bookable) AS bookable,
               count(*) FILTER (WHERE n.booked) AS booked,
               count(*) FILTER (WHERE n.booked AND n.rate IS NOT NULL) AS priced,
               coalesce(sum(n.rate) FILTER (WHERE n.booked), 0) AS revenue
          FROM night n
         GROUP BY n.competitor_key, extract(month FROM n.stay_date)
        HAVING count(*) FILTER (WHERE n.bookable) > 0
    ),
    comp_cal AS (
        SELECT cm.competitor_key,
               jsonb_object_agg(cm.m::text, jsonb_build_array(cm.bookable, cm.booked, cm.priced, cm.revenue)) AS months
          FROM comp_month cm GROUP BY cm.competitor_key
    ),
    -- a set whose calendars hold enough nights is projected from them alone: its
    -- comps' trailing figures (which move every night) are no input of it
    usable AS (
        SELECT m.prospect_property_id,
               coalesce(sum(cm.bookable), 0) >= etl.leads_setting(p_cfg, 'month_min_nights')
               AND coalesce(sum(cm.priced), 0) > 0 AS ok
          FROM member m LEFT JOIN comp_month cm ON cm.competitor_key = m.competitor_key
         GROUP BY m.prospect_property_id
    ),
    comps AS (
        SELECT m.prospect_property_id, m.tmk, m.computed_on,
               jsonb_agg(jsonb_build_object(
                   'key', m.competitor_key, 'similarity', m.similarity, 'distance_m', m.distance_m,
                   'adr', CASE WHEN NOT u.ok THEN m.adr END,
                   'occupancy', CASE WHEN NOT u.ok THEN m.occupancy END,
                   'months', coalesce(cc.months, '{}'))
                   ORDER BY m.competitor_key) AS comps
          FROM member m
          JOIN usable u ON u.prospect_property_id = m.prospect_property_id
          LEFT JOIN comp_cal cc ON cc.competitor_key = m.competitor_key
         GROUP BY m.prospect_property_id, m.tmk, m.computed_on
    )
    SELECT c.prospect_property_id, c.tmk, c.computed_on,
           jsonb_build_object(
               'model', 'seasonal-v1',
               'period_start', span.p_start, 'months', span.months,
               'history', jsonb_build_array(span.h_from, span.h_to),
               'settings', (SELECT jsonb_object_agg(k, etl.leads_setting(p_cfg, k))
                              FROM unnest(ARRAY['owner_nights', 'management_fee_pct', 'compset_min_members',
                                                'compset_min_similarity', 'month_min_nights', 'distant_m',
                                                'range_low_pct', 'range_medium_pct', 'range_high_pct',
                                                'cleaning_cost_per_stay', 'average_stay_nights',
                                                'channel_fee_pct', 'get_pct', 'tat_pct']) AS k),
               'comps', c.comps)
      FROM comps c, span
$$;
COMMENT ON FUNCTION etl.projection_inputs(date, jsonb) IS
    'The inputs of the seasonal-v1 projection of every open lead property (one lead per TMK: the lowest prospect_property_id) with a competitive set computed on or before p_as_of: {model, period_start (first day of the next month), months (floor(horizon_days / 30.4), at least 1), history [first, last night] (the twelve calendar months before the month of p_as_of), settings (the projection''s keys of p_cfg), comps [{key, similarity, distance_m, adr, occupancy (its trailing figures, only when the set''s history is unusable: fewer than month_min_nights bookable nights or no priced booking in all; else null, so that the trailing windows moving every night do not make a new projection), months {"1".."12": [bookable, booked, priced, revenue]}}] by key}. A comp''s night is read from etl.calendar_night_status over all its listings (those matched to its parcel, or its own listing): booked on any listing is booked, bookable = booked or available; revenue = the sum of the booked nights'' last listed rates. Members of similarity 0 are left out; the set''s computed_on is not an input.';

-- ---------------------------------------------------------------------------
-- Confidence and range
-- ---------------------------------------------------------------------------
CREATE FUNCTION etl.projection_outlook(p_inputs jsonb)
    RETURNS TABLE (confidence text, range_pct numeric, comps integer, mean_similarity numeric,
                   median_distance_m numeric, months_observed integer, reason text)
    LANGUAGE sql IMMUTABLE AS $$
    WITH s AS (
        SELECT (p_inputs #>> '{settings,compset_min_members}')::numeric AS min_n,
               (p_inputs #>> '{settings,compset_min_similarity}')::numeric AS min_sim,
               (p_inputs #>> '{settings,distant_m}')::numeric AS distant,
               (p_inputs #>> '{settings,month_min_nights}')::numeric AS min_nights
    ),
    c AS (
        SELECT e
          FROM jsonb_array_elements(p_inputs -> 'comps') e
         WHERE e -> 'months' <> '{}' OR jsonb_typeof(e -> 'adr') = 'number'
            OR jsonb_typeof(e -> 'occupancy') = 'number'
    ),
    agg AS (
        SELECT count(*)::integer AS n,
               round(avg((e ->> 'similarity')::numeric), 4) AS sim,
               round(percentile_cont(0.5) WITHIN GROUP (ORDER BY (e ->> 'distance_m')::numeric)::numeric, 1) AS dist
          FROM c
    ),
    obs AS (
        SELECT count(*)::integer AS months
          FROM generate_series(1, 12) m, s
         WHERE (SELECT coalesce(sum((e -> 'months' -> m::text ->> 0)::numeric), 0) FROM c) >= s.min_nights
           AND (SELECT coalesce(sum((e -> 'months' -> m::text ->> 2)::numeric), 0) FROM c) > 0
    ),
    k AS (
        SELECT agg.*, obs.months,
               CASE WHEN agg.n < s.min_n OR agg.sim < s.min_sim OR agg.dist > s.distant THEN 'low'
                    WHEN agg.n >= 2 * s.min_n AND agg.sim >= 0.75 AND obs.months >= 9 THEN 'high'
                    ELSE 'medium' END AS conf,
               s.*
          FROM agg, obs, s
    )
    SELECT k.conf, (p_inputs #>> ARRAY['settings', 'range_' || k.conf || '_pct'])::numeric,
           k.n, k.sim, k.dist, k.months,
           concat_ws('; ',
               k.n || CASE WHEN k.n = 1 THEN ' comparable' ELSE ' comparables' END
                   || CASE WHEN k.n < k.min_n THEN ' (fewer than ' || k.min_n || ')' ELSE '' END,
               'mean similarity ' || coalesce(to_char(k.sim, 'FM0.00'), 'unknown')
                   || CASE WHEN k.sim < k.min_sim THEN ' (under ' || k.min_sim || ')' ELSE '' END,
               CASE WHEN k.dist IS NOT NULL THEN 'median distance ' || to_char(k.dist / 1000, 'FM990.0') || ' km'
                   || CASE WHEN k.dist > k.distant THEN ' (over ' || to_char(k.distant / 1000, 'FM990.0') || ' km)' ELSE '' END END,
               k.months || ' of 12 months seen in their calendars')
      FROM k
$$;
COMMENT ON FUNCTION etl.projection_outlook(jsonb) IS
    'Confidence and range of a seasonal-v1 projection from its inputs: over the comps with figures (calendar nights or trailing ADR or occupancy), low when there are fewer than compset_min_members, their mean similarity is under compset_min_similarity or their median distance is over distant_m; high with at least twice compset_min_members, a mean similarity of 0.75 or more and 9 or more calendar months with month_min_nights bookable nights and a priced booking; medium otherwise. range_pct is range_<confidence>_pct of the settings; reason says it in words.';

-- ---------------------------------------------------------------------------
-- The figures
-- ---------------------------------------------------------------------------
CREATE FUNCTION etl.projection_months(p_inputs jsonb)
    RETURNS TABLE (scenario text, month date, basis text, days integer, available_nights numeric,
                   occupancy numeric, adr numeric, projected_nights numeric, gross_revenue numeric,
                   management_fee numeric, cleaning_costs numeric, taxes numeric, channel_fees numeric,
                   net_to_owner numeric)
    LANGUAGE sql IMMUTABLE AS $$
    WITH s AS (
        SELECT (p_inputs ->> 'period_start')::date AS p_start,
               (p_inputs ->> 'months')::integer AS months,
               (p_inputs #>> '{settings,owner_nights}')::numeric AS owner_nights,
               (p_inputs #>> '{settings,management_fee_pct}')::numeric AS fee_pct,
               (p_inputs #>> '{settings,month_min_nights}')::numeric AS min_nights,
               (p_inputs #>> '{settings,cleaning_cost_per_stay}')::numeric AS clean,
               (p_inputs #>> '{settings,average_stay_nights}')::numeric AS stay,
               (p_inputs #>> '{settings,channel_fee_pct}')::numeric AS channel_pct,
               (p_inputs #>> '{settings,get_pct}')::numeric + (p_inputs #>> '{settings,tat_pct}')::numeric AS tax_pct,
               (SELECT o.range_pct FROM etl.projection_outlook(p_inputs) o) AS range_pct
    ),
    c AS (
        SELECT (e ->> 'similarity')::numeric AS w, e
          FROM jsonb_array_elements(p_inputs -> 'comps') e
    ),
    -- per calendar month of the history: similarity-weighted sums over the comps
    hist AS (
        SELECT m,
               sum((c.e -> 'months' -> m::text ->> 0)::numeric) AS bookable_raw,
               sum(c.w * (c.e -> 'months' -> m::text ->> 0)::numeric) AS bookable,
               sum(c.w * (c.e -> 'months' -> m::text ->> 1)::numeric) AS booked,
               sum(c.w * (c.e -> 'months' -> m::text ->> 2)::numeric) AS priced,
               sum(c.w * (c.e -> 'months' -> m::text ->> 3)::numeric) AS revenue
          FROM generate_series(1, 12) m
          CROSS JOIN c
         WHERE c.e -> 'months' ? m::text
         GROUP BY m
    ),
    -- the whole history, else the comps' trailing figures
    yr AS (
        SELECT CASE WHEN sum(h.bookable_raw) >= min(s.min_nights) AND sum(h.priced) > 0
                    THEN sum(h.booked) / sum(h.bookable) END AS occ,
               CASE WHEN sum(h.bookable_raw) >= min(s.min_nights) AND sum(h.priced) > 0
                    THEN sum(h.revenue) / sum(h.priced) END AS adr
          FROM hist h, s
    ),
    trail AS (
        SELECT sum(c.w * (c.e ->> 'occupancy')::numeric) FILTER (WHERE jsonb_typeof(c.e -> 'occupancy') = 'number')
                   / nullif(sum(c.w) FILTER (WHERE jsonb_typeof(c.e -> 'occupancy') = 'number'), 0) AS occ,
               sum(c.w * (c.e ->> 'adr')::numeric) FILTER (WHERE jsonb_typeof(c.e -> 'adr') = 'number')
                   / nullif(sum(c.w) FILTER (WHERE jsonb_typeof(c.e -> 'adr') = 'number'), 0) AS adr
          FROM c
    ),
    base AS (
        SELECT CASE WHEN y.occ IS NOT NULL THEN 'year' ELSE 'trailing' END AS basis,
               coalesce(y.occ, t.occ) AS occ, coalesce(y.adr, t.adr) AS adr
          FROM yr y, trail t
    ),
    cal AS (
        SELECT (s.p_start + make_interval(months => i))::date AS month,
               ((s.p_start + make_interval(months => i + 1))::date
                - (s.p_start + make_interval(months => i))::date) AS days,
               ((s.p_start + make_interval(months => s.months))::date - s.p_start) AS period_days,
               i
          FROM s, generate_series(0, (SELECT months FROM s) - 1) i
    ),
    expected AS (
        SELECT cal.month, cal.days,
               round(cal.days - s.owner_nights * cal.days / cal.period_days::numeric, 1) AS avail,
               CASE WHEN h.bookable_raw >= s.min_nights AND h.priced > 0 THEN 'month' ELSE b.basis END AS basis,
               CASE WHEN h.bookable_raw >= s.min_nights AND h.priced > 0 THEN h.booked / h.bookable ELSE b.occ END AS occ,
               CASE WHEN h.bookable_raw >= s.min_nights AND h.priced > 0 THEN h.revenue / h.priced ELSE b.adr END AS adr
          FROM cal CROSS JOIN s CROSS JOIN base b
          LEFT JOIN hist h ON h.m = extract(month FROM cal.month)
         WHERE b.occ IS NOT NULL AND b.adr IS NOT NULL
    ),
    scen AS (
        SELECT sc.scenario, e.month, e.days, e.avail, e.basis,
               round(least(1, e.occ * sc.f), 4) AS occ, round(e.adr * sc.f, 2) AS adr
          FROM expected e, s
         CROSS JOIN LATERAL (VALUES ('conservative', 1 - s.range_pct / 100), ('expected', 1.0),
                                    ('optimistic', 1 + s.range_pct / 100)) AS sc(scenario, f)
    ),
    nights AS (
        SELECT k.*, round(k.avail * k.occ, 1) AS nights FROM scen k
    ),
    money AS (
        SELECT n.*, round(n.adr * n.nights, 2) AS gross,
               round(n.nights / s.stay * s.clean, 2) AS cleaning
          FROM nights n, s
    )
    SELECT m.scenario, m.month, m.basis, m.days, m.avail, m.occ, m.adr, m.nights, m.gross,
           round(m.gross * s.fee_pct / 100, 2), m.cleaning,
           round(m.gross * s.tax_pct / 100, 2), round(m.gross * s.channel_pct / 100, 2),
           m.gross - round(m.gross * s.fee_pct / 100, 2) - m.cleaning
               - round(m.gross * s.tax_pct / 100, 2) - round(m.gross * s.channel_pct / 100, 2)
      FROM money m, s
     ORDER BY m.month, m.scenario
$$;
COMMENT ON FUNCTION etl.projection_months(jsonb) IS
    'The figures of a seasonal-v1 projection from its inputs alone (etl.projection_inputs), per scenario and month of the period. Expected: a month whose calendar month in the history has at least month_min_nights bookable comp nights and a priced booking takes the comps'' similarity-weighted occupancy (booked / bookable nights) and ADR (booked revenue / priced booked nights) of that month (basis month); the other months take the same over the whole history (basis year) or, without usable history, the similarity-weighted means of the comps'' trailing ADR and occupancy (basis trailing). Conservative and optimistic: occupancy and ADR times (1 -/+ range_pct / 100) (etl.projection_outlook), occupancy at most 1. Then available nights = days - owner_nights x days / period days (0.1), booked nights = available x occupancy (0.1), gross = ADR x booked nights, fee = gross x management_fee_pct, cleanings = booked nights / average_stay_nights x cleaning_cost_per_stay, taxes = gross x (get_pct + tat_pct), channel fees = gross x channel_fee_pct (each in cents), net = gross - fee - cleanings - taxes - channel fees. No rows when there is neither history nor trailing figures.';

-- ---------------------------------------------------------------------------
-- The nightly writer
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION etl.project_revenue(p_as_of date, p_cfg jsonb, p_run_id text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    owner_nights integer := etl.leads_setting(p_cfg, 'owner_nights');
    fee_pct numeric := etl.leads_setting(p_cfg, 'management_fee_pct');
    horizon integer := etl.leads_setting(p_cfg, 'horizon_days');
    model text := 'seasonal-v1';
    r record;
    o record;
    sc text;
    digest text;
    period_end date;
    id bigint;
    made bigint := 0;
BEGIN
    IF horizon NOT BETWEEN 1 AND 366 OR owner_nights NOT BETWEEN 0 AND horizon - 1
       OR fee_pct NOT BETWEEN 0 AND 100 THEN
        RAISE EXCEPTION 'projection settings out of range: horizon_days % (1-366), owner_nights % (0 to horizon - 1), management_fee_pct % (0-100)',
            horizon, owner_nights, fee_pct USING ERRCODE = '22023';
    END IF;
    FOR r IN SELECT * FROM etl.projection_inputs(p_as_of, p_cfg) i ORDER BY i.tmk LOOP
        digest := encode(sha256(convert_to(r.inputs::text, 'UTF8')), 'hex');
        -- the same inputs as the latest projection: nothing new to say
        CONTINUE WHEN digest IS NOT DISTINCT FROM (
            SELECT x.inputs_sha256 FROM homeowner_acquisition.revenue_projections x
             WHERE x.tmk = r.tmk AND x.model_version = model AND x.scenario = 'expected'
             ORDER BY x.revenue_projection_id DESC LIMIT 1);
        SELECT * INTO o FROM etl.projection_outlook(r.inputs);
        period_end := ((r.inputs ->> 'period_start')::date
                       + make_interval(months => (r.inputs ->> 'months')::integer))::date;
        -- neither calendar history nor trailing figures: nothing to project from
        CONTINUE WHEN NOT EXISTS (SELECT 1 FROM etl.projection_months(r.inputs));
            FOREACH sc IN ARRAY ARRAY['conservative', 'expected', 'optimistic'] LOOP
                INSERT INTO homeowner_acquisition.revenue_projections
                    (tmk, prospect_property_id, scenario, period_start, period_end, compset_computed_on,
                     comp_count, adr, occupancy, available_nights, projected_nights, gross_revenue,
                     management_fee_pct, management_fee, operating_costs, net_to_owner, assumptions,
                     model_version, run_id, created_by, confidence, range_pct, inputs, inputs_sha256)
                SELECT r.tmk, r.prospect_property_id, sc, (r.inputs ->> 'period_start')::date,
                       period_end, r.computed_on, o.comps,
                       CASE WHEN sum(m.projected_nights) > 0
                            THEN round(sum(m.gross_revenue) / sum(m.projected_nights), 2)
                            ELSE round(avg(m.adr), 2) END,
                       round(least(sum(m.projected_nights), (period_end - (r.inputs ->> 'period_start')::date) - owner_nights)
                             / nullif((period_end - (r.inputs ->> 'period_start')::date) - owner_nights, 0), 4),
                       (period_end - (r.inputs ->> 'period_start')::date) - owner_nights,
                       least(sum(m.projected_nights), (period_end - (r.inputs ->> 'period_start')::date) - owner_nights),
                       sum(m.gross_revenue), fee_pct, sum(m.management_fee),
                       sum(m.cleaning_costs) + sum(m.taxes) + sum(m.channel_fees), sum(m.net_to_owner),
                       jsonb_build_object(
                           'method', 'seasonal: each month from the comparable rentals'' booked nights and rates in the same month of the last twelve months (similarity-weighted); months they did not show from their whole year, or their trailing figures',
                           'formula', 'booked nights = available nights x occupancy; gross = ADR x booked nights; net = gross - management fee - cleanings - GET and TAT - channel fees',
                           'confidence', o.confidence, 'confidence_reason', o.reason,
                           'range_pct', o.range_pct, 'months_observed', o.months_observed,
                           'mean_similarity', o.mean_similarity, 'median_distance_m', o.median_distance_m,
                           'history', r.inputs -> 'history',
                           'month_basis', (SELECT jsonb_object_agg(to_char(x.month, 'YYYY-MM'), x.basis)
                                             FROM etl.projection_months(r.inputs) x WHERE x.scenario = 'expected'),
                           'owner_nights', owner_nights, 'management_fee_pct', fee_pct,
                           'settings', r.inputs -> 'settings'),
                       model, p_run_id, 'mi-leads', o.confidence, o.range_pct, r.inputs, digest
                  FROM etl.projection_months(r.inputs) m
                 WHERE m.scenario = sc
                RETURNING revenue_projection_id INTO id;
                INSERT INTO homeowner_acquisition.revenue_projection_months
                    (revenue_projection_id, month, basis, days, available_nights, occupancy, adr,
                     projected_nights, gross_revenue, management_fee, cleaning_costs, taxes, channel_fees,
                     net_to_owner)
                SELECT id, m.month, m.basis, m.days, m.available_nights, m.occupancy, m.adr,
                       m.projected_nights, m.gross_revenue, m.management_fee, m.cleaning_costs, m.taxes,
                       m.channel_fees, m.net_to_owner
                  FROM etl.projection_months(r.inputs) m
                 WHERE m.scenario = sc;
                made := made + 1;
            END LOOP;
    END LOOP;
    RETURN made;
END
$$;
COMMENT ON FUNCTION etl.project_revenue(date, jsonb, text) IS
    'Writes the seasonal-v1 revenue projection of every open lead property with a competitive set computed on or before p_as_of (etl.projection_inputs; one lead per TMK, the lowest prospect_property_id): three revenue_projections rows (conservative, expected, optimistic) with the year''s totals, confidence, range, inputs and their SHA-256, and their months in revenue_projection_months (etl.projection_months), for the months from the first day of the next month on. A lead whose inputs are those of its latest projection (same SHA-256) gets nothing: a re-run, or the next night on the same data, writes no row; a new comp set, new calendar nights, new settings or a new month do. A lead whose comps have neither calendar history nor trailing figures gets none. Returns the number of scenario rows written.';
