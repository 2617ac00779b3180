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

-- Analysts read everything; the sales team reads the market and works the lead queue.
GRANT USAGE ON SCHEMA external, homeowner_acquisition, etl TO mi_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA external, homeowner_acquisition, etl TO mi_reader;
GRANT USAGE ON SCHEMA external, homeowner_acquisition TO mi_sales;
GRANT SELECT ON ALL TABLES IN SCHEMA external, homeowner_acquisition TO mi_sales;
GRANT INSERT, UPDATE ON ALL TABLES IN SCHEMA homeowner_acquisition TO mi_sales;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA homeowner_acquisition TO mi_sales;
