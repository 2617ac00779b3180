-- 077_lead_board_projection.sql: the lead board after the seasonal projections
-- (sql/075).  A seasonal projection's ADR and occupancy are the coming year's, not
-- the comp set's trailing figures the pricing signals and their reasons give; the
-- board keeps compset_adr and compset_occupancy the comp set's (etl.compset_figures'
-- definition, over the projection's set) and adds the projection's own
-- (projection_adr, projection_occupancy) and its confidence, so that "occupancy 19%
-- vs 73% for its competitive set" and the comp-set figure of the same row agree.

CREATE OR REPLACE VIEW homeowner_acquisition.lead_board AS
SELECT p.prospect_id AS lead_id,
       p.display_name,
       p.owner_name_raw,
       p.owner_kind,
       p.care_of,
       p.mailing_address,
       p.mailing_city,
       p.mailing_state,
       p.mailing_zip,
       p.mailing_country,
       p.status AS stage,
       p.assigned_to AS agent,
       p.claimed_at,
       p.claim_expires_at,
       CASE WHEN p.claim_expires_at > now() THEN 'claimed'
            WHEN p.claim_expires_at IS NOT NULL THEN 'lapsed'
            ELSE 'unclaimed' END AS claim_state,
       p.follow_up_on,
       coalesce(p.follow_up_on <= current_date, false) AS follow_up_due,
       p.snoozed_until,
       p.do_not_contact,
       sup.suppression_id,
       p.signal_since_lost_at,
       p.closed_reason,
       p.last_contacted_at,
       b.property_count,
       b.prospect_property_id AS best_prospect_property_id,
       b.tmk AS best_tmk,
       b.tmk_display AS best_tmk_display,
       b.address AS best_address,
       b.city AS best_city,
       b.island AS best_island,
       b.queue_score,
       b.opportunity_score,
       b.lead_source_code,
       b.score_signals,
       h.holdings,
       coalesce(r.reasons, '{}') AS reasons,
       r.reasons[1] AS main_reason,
       coalesce(o.others, '[]') AS other_properties,
       own.adr AS own_adr,
       own.occupancy AS own_occupancy,
       cs.computed_on AS compset_latest_on,
       coalesce(cs.members, 0) AS compset_latest_members,
       rp.compset_computed_on,
       CASE WHEN rp.model_version = 'seasonal-v1' THEN cf.n::smallint ELSE rp.comp_count END AS compset_members,
       CASE WHEN rp.model_version = 'seasonal-v1' THEN round(cf.adr, 2)::etl.money ELSE rp.adr END AS compset_adr,
       CASE WHEN rp.model_version = 'seasonal-v1' THEN round(cf.occ, 4)::etl.fraction ELSE rp.occupancy END
           AS compset_occupancy,
       rp.period_start AS projection_start,
       rp.period_end AS projection_end,
       rp.projected_nights,
       rp.gross_revenue AS projected_gross,
       rp.management_fee_pct,
       rp.net_to_owner AS projected_net,
       (p.status IN ('new', 'contacted', 'meeting', 'proposal', 'negotiating', 'nurture')
        AND NOT p.do_not_contact AND sup.suppression_id IS NULL
        AND coalesce(p.claim_expires_at <= now(), true)
        AND coalesce(p.snoozed_until <= current_date, true)) AS waiting,
       rp.adr AS projection_adr,
       rp.occupancy AS projection_occupancy,
       rp.confidence AS projection_confidence
  FROM homeowner_acquisition.prospects p
  -- the best open property that is not ours, and how many there are
  JOIN LATERAL (
        SELECT count(*) OVER () AS property_count, pp.prospect_property_id, pp.tmk::text AS tmk,
               pr.tmk_display, pr.address, pr.city, pr.island,
               coalesce(pp.opportunity_score, 0) + pp.priority_boost AS queue_score,
               pp.opportunity_score, pp.lead_source_code, pp.score_signals
          FROM homeowner_acquisition.prospect_properties pp
          JOIN external.properties pr ON pr.tmk = pp.tmk
         WHERE pp.prospect_id = p.prospect_id AND pp.status = 'new' AND NOT pr.is_ours
         ORDER BY coalesce(pp.opportunity_score, 0) + pp.priority_boost DESC, pp.tmk
         LIMIT 1) b ON true
  -- the first suppression entry that matches the owner
  LEFT JOIN LATERAL (
        SELECT s.suppression_id FROM etl.lead_suppressions s
         WHERE (s.owner_key IS NULL OR s.owner_key = p.owner_key)
           AND (s.address_key IS NULL
                OR (s.address_key IN (p.mailing_norm_key, nullif(p.mailing_address_key, ''))
                    AND (s.zip5 IS NULL OR left(p.mailing_zip, 5) IS NULL
                         OR s.zip5 = left(p.mailing_zip, 5))))
         ORDER BY s.suppression_id LIMIT 1) sup ON true
  -- several parcels: "owns 3 units at 2191 S Kihei Rd"
  LEFT JOIN LATERAL (
        SELECT CASE WHEN count(*) = 1 AND sum(g.n) >= 2
                    THEN 'owns ' || sum(g.n) || ' units at ' || min(g.building)
                    WHEN sum(g.n) >= 2
                    THEN 'owns ' || sum(g.n) || ' properties: '
                         || string_agg(CASE WHEN g.n > 1 THEN g.n || ' units at ' || g.building
                                            ELSE g.one END, ', ' ORDER BY g.n DESC, g.building)
               END AS holdings
          FROM (SELECT x.building_key, min(x.building) AS building, count(*) AS n,
                       min(x.label) AS one
                  FROM (SELECT CASE WHEN pr.address_key ~ ' #[^ ]+$'
                                    THEN regexp_replace(pr.address_key, ' #[^ ]+$', '')
                                    ELSE coalesce(pr.address_key, pr.tmk) END AS building_key,
                               CASE WHEN pr.address_key ~ ' #[^ ]+$' AND pr.address IS NOT NULL
                                    THEN regexp_replace(pr.address,
                                             '[[:space:],]*((#|\m(apt|apartment|unit|unt|ste|suite|no|number|rm|room|ph|penthouse|bldg|building|fl|floor|spc|space|trlr))\.?[[:space:]]*)?#?[[:space:]]*[[:alnum:]-]+[[:space:]]*$',
                                             '', 'i')
                                    ELSE coalesce(pr.address, pr.tmk_display) END AS building,
                               coalesce(pr.address, pr.tmk_display) AS label
                          FROM homeowner_acquisition.prospect_properties pp
                          JOIN external.properties pr ON pr.tmk = pp.tmk
                         WHERE pp.prospect_id = p.prospect_id AND pp.status = 'new'
                           AND NOT pr.is_ours) x
                 GROUP BY x.building_key) g) h ON true
  -- the best property's reasons, strongest first
  LEFT JOIN LATERAL (
        SELECT array_agg(etl.signal_reason(e ->> 'signal', e -> 'evidence') ORDER BY i) AS reasons
          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(b.score_signals) = 'array'
                                         THEN b.score_signals ELSE '[]' END)
               WITH ORDINALITY AS s(e, i)) r ON true
  -- the other open properties, best first
  LEFT JOIN LATERAL (
        SELECT jsonb_agg(jsonb_build_object('prospect_property_id', pp.prospect_property_id,
                                            'tmk', pp.tmk, 'tmk_display', pr.tmk_display,
                                            'address', pr.address,
                                            'score', coalesce(pp.opportunity_score, 0) + pp.priority_boost)
                         ORDER BY coalesce(pp.opportunity_score, 0) + pp.priority_boost DESC, pp.tmk) AS others
          FROM homeowner_acquisition.prospect_properties pp
          JOIN external.properties pr ON pr.tmk = pp.tmk
         WHERE pp.prospect_id = p.prospect_id AND pp.status = 'new' AND NOT pr.is_ours
           AND pp.prospect_property_id <> b.prospect_property_id) o ON true
  -- the best property's own trailing metrics
  LEFT JOIN LATERAL (
        SELECT mm.adr, mm.occupancy FROM etl.market_metrics mm
         WHERE mm.subject_kind = 'property' AND mm.tmk = b.tmk AND mm.window_kind = 'trailing'
         ORDER BY mm.as_of DESC LIMIT 1) own ON true
  -- its latest competitive set, whatever its members hold
  LEFT JOIN LATERAL (
        SELECT c.computed_on, count(*) AS members FROM external.competitive_sets c
         WHERE c.subject_tmk = b.tmk
         GROUP BY c.computed_on ORDER BY c.computed_on DESC LIMIT 1) cs ON true
  -- and the comp-set figures and projection of its latest expected projection:
  -- the one source of the comp-set ADR and occupancy shown anywhere
  LEFT JOIN LATERAL (
        SELECT x.compset_computed_on, x.comp_count, x.adr, x.occupancy, x.period_start, x.period_end,
               x.projected_nights, x.gross_revenue, x.management_fee_pct, x.net_to_owner,
               x.model_version, x.confidence
          FROM homeowner_acquisition.revenue_projections x
         WHERE x.tmk = b.tmk AND x.scenario = 'expected'
         ORDER BY x.period_start DESC, x.revenue_projection_id DESC LIMIT 1) rp ON true
  -- the comp-set figures of that set as etl.compset_figures defines them (the
  -- pricing signals' and their reasons'): a seasonal projection's own ADR and
  -- occupancy are the year's (projection_adr, projection_occupancy)
  LEFT JOIN LATERAL (
        SELECT count(c.occupancy) AS n,
               sum(c.similarity * c.adr) FILTER (WHERE c.adr IS NOT NULL)
                   / nullif(sum(c.similarity) FILTER (WHERE c.adr IS NOT NULL), 0) AS adr,
               sum(c.similarity * c.occupancy) FILTER (WHERE c.occupancy IS NOT NULL)
                   / nullif(sum(c.similarity) FILTER (WHERE c.occupancy IS NOT NULL), 0) AS occ
          FROM external.competitive_sets c
         WHERE c.subject_tmk = b.tmk AND c.computed_on = rp.compset_computed_on
           AND c.similarity > 0
           AND c.similarity >= coalesce(etl.lead_desk_setting('compset_min_similarity'), 0.5)) cf ON true;

COMMENT ON COLUMN homeowner_acquisition.lead_board.compset_members IS 'Members with an occupancy behind the comp-set figures below (of similarity >= compset_min_similarity), or the projection''s comp_count for the earlier flat models.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.compset_adr IS 'Comp-set ADR of the projection''s competitive set: the similarity-weighted mean of the members'' trailing ADR over the members of similarity >= compset_min_similarity (etl.lead_settings), as etl.compset_figures defines it; for the earlier flat models, the projection''s ADR (the same figure). NULL when there is no projection.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.compset_occupancy IS 'Comp-set occupancy 0-1, likewise.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.projection_adr IS 'The expected projection''s own ADR over its period (seasonal-v1: gross / booked nights of the year).';
COMMENT ON COLUMN homeowner_acquisition.lead_board.projection_occupancy IS 'The expected projection''s own occupancy 0-1 over its period.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.projection_confidence IS 'The projection''s confidence (low, medium, high; NULL for the earlier flat models).';
