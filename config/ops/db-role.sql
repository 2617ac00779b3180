-- The database roles of the pipeline and its readers, with only the rights each needs.
-- Run by a database administrator after `mi-migrate` (run as the schema owner), and again
-- after every `mi-migrate` that adds tables (it starts by taking back what it gave):
--   psql -v ON_ERROR_STOP=1 -f config/ops/db-role.sql
-- The password is set separately (\password mi_pipeline) and kept in ~/.pgpass of the
-- account that runs the pipeline, never in config files.
--
-- mi_pipeline owns nothing and creates nothing: no CREATE on any schema, so no table,
-- view or function of its own.  New pricing partitions and the work table a new snapshot
-- is built in are made by the schema owner's SECURITY DEFINER functions (sql/042), the
-- only functions granted below.  It reads what the stages read, adds rows where they
-- add, updates only the columns they update, and deletes only the rows a stage replaces
-- whole (a day's competitive sets and market metrics, a run's parse rejects).  It cannot
-- touch etl.schema_migrations, delete runs, loaded files or market data, or change a
-- prospect's do-not-contact flag.  (tests/t0940-run-role.sh runs the whole demo night
-- as this role and checks each of those refusals.)
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mi_pipeline') THEN
		CREATE ROLE mi_pipeline LOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mi_reader') THEN
		CREATE ROLE mi_reader NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mi_sales') THEN
		CREATE ROLE mi_sales NOLOGIN;
	END IF;
	EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO mi_pipeline, mi_reader, mi_sales',
		       current_database());
END $$;

-- start from nothing (this file may run again, or after an older version of it)
REVOKE ALL ON SCHEMA external, homeowner_acquisition, etl FROM mi_pipeline, mi_reader, mi_sales;
REVOKE ALL ON ALL TABLES IN SCHEMA external, homeowner_acquisition, etl FROM mi_pipeline, mi_reader, mi_sales;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA external, homeowner_acquisition, etl FROM mi_pipeline, mi_reader, mi_sales;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA external, homeowner_acquisition, etl FROM mi_pipeline, mi_reader, mi_sales;

GRANT USAGE ON SCHEMA external, homeowner_acquisition, etl TO mi_pipeline;

-- the market (mi-load, mi-compset): upserts, never deletes; a day's sets are replaced
GRANT SELECT, INSERT, UPDATE ON external.properties, external.property_managers,
	external.property_sales, external.property_reviews, external.property_pricing
	TO mi_pipeline;
GRANT SELECT, INSERT, DELETE ON external.competitive_sets TO mi_pipeline;
-- what each stored set was computed from, for the day's re-runs (one day kept)
GRANT SELECT, INSERT, DELETE ON etl.compset_subject_inputs TO mi_pipeline;

-- operations: the run ledger (each stage its own row; a stage run alone registers its
-- run), the work items of a night shared between hosts (mi-run --worker), fetching,
-- loaded files (skip what was merged), the loads the match has not seen, rejects (a run's parse rejects are replaced),
-- listings and change events, metrics (an as-of date is recomputed whole)
GRANT SELECT, INSERT, UPDATE ON etl.runs, etl.stage_results, etl.work_items TO mi_pipeline;
GRANT SELECT, INSERT, UPDATE ON etl.fetch_queue, etl.fetch_state, etl.host_state TO mi_pipeline;
GRANT SELECT, INSERT ON etl.loaded_files TO mi_pipeline;
GRANT SELECT, INSERT, DELETE ON etl.load_match_pending TO mi_pipeline;
GRANT SELECT, INSERT, DELETE ON etl.rejects TO mi_pipeline;
GRANT SELECT, INSERT, UPDATE ON etl.listings, etl.change_events TO mi_pipeline;
GRANT SELECT, INSERT, DELETE ON etl.market_metrics TO mi_pipeline;

-- leads (mi-leads score): prospects are added, and renamed while nobody edited the name;
-- the lead's score columns are the pipeline's, its status and claims are the sales team's
GRANT SELECT ON homeowner_acquisition.lead_sources, homeowner_acquisition.lead_queue,
	homeowner_acquisition.lead_board
	TO mi_pipeline;
GRANT SELECT, INSERT ON homeowner_acquisition.prospects TO mi_pipeline;
GRANT UPDATE (display_name, care_of, mailing_norm_key, signal_since_lost_at)
	ON homeowner_acquisition.prospects TO mi_pipeline;
GRANT SELECT, INSERT ON homeowner_acquisition.prospect_properties TO mi_pipeline;
GRANT UPDATE (opportunity_score, score_signals, score_version, scored_at, lead_source_code)
	ON homeowner_acquisition.prospect_properties TO mi_pipeline;
GRANT SELECT, INSERT ON homeowner_acquisition.lead_activities,
	homeowner_acquisition.revenue_projections, homeowner_acquisition.revenue_projection_months
	TO mi_pipeline;
GRANT SELECT, INSERT ON homeowner_acquisition.property_assessments TO mi_pipeline;
-- the day's score row, and the day's remote condition row when a re-run finds new inputs
GRANT UPDATE (opportunity_score, score_signals, score_version, run_id, prospect_property_id,
              overall_condition, condition_score, estimated_capex, issues, notes, confidence,
              evidence)
	ON homeowner_acquisition.property_assessments TO mi_pipeline;

-- the lead settings a night scored with (one row, replaced) and the suppression list
GRANT SELECT, INSERT, UPDATE ON etl.lead_settings TO mi_pipeline;
GRANT SELECT ON etl.lead_suppressions TO mi_pipeline;

-- contracts (sql/082-086): mi-compset keeps the contracted properties ours (it reads
-- the view, not the contracts); mi-leads score starts, renews and expires contracts
-- and ticks the onboarding tasks the data proves done through the owner's function,
-- which does exactly that: the pipeline writes no contract and no task itself
GRANT SELECT ON homeowner_acquisition.contracted_properties TO mi_pipeline;
GRANT EXECUTE ON FUNCTION homeowner_acquisition.advance_contracts(date, text[], text) TO mi_pipeline;

-- The lead desk's actions (sql/061-068, docs/desk.md) are the agents', not the
-- pipeline's: it scores leads, it never claims, moves or closes one.  They are revoked
-- from PUBLIC where they are made and not granted here.

-- what needs the owner's rights, through the owner's functions (sql/042)
GRANT EXECUTE ON FUNCTION external.pricing_month_partition(date),
	external.ensure_pricing_partition(date),
	external.ensure_pricing_months_ahead(integer, date),
	etl.load_pricing_build_table(text, date),
	etl.load_pricing_build_table(text, date, text[]),
	etl.load_pricing_attach(regclass, date),
	etl.load_pricing_drop_build(text),
	etl.load_pricing_drop_stale(),
	etl.load_analyze_grown(regclass[], bigint)
	TO mi_pipeline;

-- Analysts read everything; the sales team reads the market and works the lead queue.
GRANT USAGE ON SCHEMA external, homeowner_acquisition, etl TO mi_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA external, homeowner_acquisition, etl TO mi_reader;
GRANT USAGE ON SCHEMA external, homeowner_acquisition TO mi_sales;
GRANT SELECT ON ALL TABLES IN SCHEMA external, homeowner_acquisition TO mi_sales;
-- Agents act through the desk functions (SECURITY DEFINER: the rules hold whoever
-- calls), never by writing the desk's columns or the activity log themselves.
GRANT EXECUTE ON FUNCTION
    homeowner_acquisition.claim_next_lead(text),
    homeowner_acquisition.release_lead(bigint, text, text),
    homeowner_acquisition.assign_lead(bigint, text, text, text),
    homeowner_acquisition.log_lead_activity(bigint, text, text, text, text, date, text, text),
    homeowner_acquisition.set_lead_stage(bigint, text, text, text),
    homeowner_acquisition.snooze_lead(bigint, text, date, text),
    homeowner_acquisition.mark_do_not_contact(bigint, text, text),
    homeowner_acquisition.record_assessment(bigint, text, text, integer, numeric, text, text),
    homeowner_acquisition.add_lead_suppression(text, text, text, text, text, text, text, text, integer),
    homeowner_acquisition.draft_proposal(bigint, text, jsonb, text, integer),
    homeowner_acquisition.revise_proposal(bigint, text, jsonb, text),
    homeowner_acquisition.send_proposal(bigint, text, text, text),
    homeowner_acquisition.accept_proposal(bigint, text, text),
    homeowner_acquisition.decline_proposal(bigint, text, text),
    homeowner_acquisition.sign_contract(bigint, text, date, integer, numeric, text[], text, text, text),
    homeowner_acquisition.terminate_contract(bigint, text, text, date),
    homeowner_acquisition.complete_onboarding_task(bigint, text, text, text, text)
    TO mi_sales;
-- a lead entered by hand (a referral) and its properties; an owner's contact details
GRANT INSERT ON homeowner_acquisition.prospects, homeowner_acquisition.prospect_properties TO mi_sales;
GRANT UPDATE (display_name, contact_first_name, contact_last_name, care_of, mailing_address,
              mailing_city, mailing_state, mailing_zip, mailing_country, mailing_norm_key, email,
              phone, preferred_contact, notes)
    ON homeowner_acquisition.prospects TO mi_sales;
-- proposals, assessments, contracts and onboarding are the team's records, written
-- only through their functions (sql/071, 076, 083-085): each keeps its rules (a
-- version per change, a person's assessment logged, signing makes a property ours,
-- ending one gives it back) and logs its activity, which a direct write would skip.
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA homeowner_acquisition TO mi_sales;
-- what mi-leads show and the suppression list read in etl
GRANT USAGE ON SCHEMA etl TO mi_sales;
GRANT SELECT ON etl.market_metrics, etl.lead_suppressions, etl.lead_settings TO mi_sales;
