-- The database role the pipeline runs as: only the rights it needs.
-- Run once by a database administrator, after `mi-migrate` (run as the schema owner):
--   psql -v ON_ERROR_STOP=1 -f config/ops/db-role.sql
-- The password is set separately (\password mi_pipeline) and kept in ~/.pgpass of the
-- account that runs cron, never in config files.
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
END $$;

-- The pipeline reads and writes the three schemas' rows (no DDL on existing tables)
-- but creates pricing partitions, so it owns nothing else and cannot drop tables.
GRANT USAGE ON SCHEMA external, homeowner_acquisition, etl TO mi_pipeline;
GRANT CREATE ON SCHEMA external TO mi_pipeline;  -- new property_pricing partitions
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA external, etl TO mi_pipeline;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA homeowner_acquisition TO mi_pipeline;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA external, homeowner_acquisition, etl TO mi_pipeline;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA external, homeowner_acquisition, etl TO mi_pipeline;
DO $$
BEGIN
	EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO mi_pipeline, mi_reader, mi_sales',
		       current_database());
END $$;

-- The lead desk's actions (sql/061-068, docs/desk.md) are the agents', not the
-- pipeline's: it scores leads, it never claims, moves or closes one.
REVOKE EXECUTE ON FUNCTION
    homeowner_acquisition.claim_next_lead(text),
    homeowner_acquisition.release_lead(bigint, text, text),
    homeowner_acquisition.assign_lead(bigint, text, text, text),
    homeowner_acquisition.log_lead_activity(bigint, text, text, text, text, date, text, text),
    homeowner_acquisition.set_lead_stage(bigint, text, text, text),
    homeowner_acquisition.snooze_lead(bigint, text, date, text),
    homeowner_acquisition.mark_do_not_contact(bigint, text, text),
    homeowner_acquisition.add_lead_suppression(text, text, text, text, text, text, text, text, integer)
    FROM mi_pipeline;

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
    homeowner_acquisition.add_lead_suppression(text, text, text, text, text, text, text, text, integer)
    TO mi_sales;
-- a lead entered by hand (a referral) and its properties; an owner's contact details
GRANT INSERT ON homeowner_acquisition.prospects, homeowner_acquisition.prospect_properties TO mi_sales;
GRANT UPDATE (display_name, contact_first_name, contact_last_name, care_of, mailing_address,
              mailing_city, mailing_state, mailing_zip, mailing_country, mailing_norm_key, email,
              phone, preferred_contact, notes)
    ON homeowner_acquisition.prospects TO mi_sales;
-- proposals, contracts, onboarding and assessments are the team's records
GRANT INSERT, UPDATE ON homeowner_acquisition.proposals, homeowner_acquisition.proposal_versions,
                        homeowner_acquisition.contracts, homeowner_acquisition.onboarding_progress,
                        homeowner_acquisition.property_assessments
    TO mi_sales;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA homeowner_acquisition TO mi_sales;
-- what mi-leads show and the suppression list read in etl
GRANT USAGE ON SCHEMA etl TO mi_sales;
GRANT SELECT ON etl.market_metrics, etl.lead_suppressions, etl.lead_settings TO mi_sales;
