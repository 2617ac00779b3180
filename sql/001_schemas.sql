-- 001_schemas.sql: the three schemas this product owns, the domains and the
-- small helper functions the later migrations share.
--
-- Applied by mi-migrate in one transaction (no BEGIN/COMMIT here).  The etl
-- schema may already exist: mi-migrate creates it to hold its own ledger
-- (etl.schema_migrations) before it applies this file.

CREATE SCHEMA IF NOT EXISTS external;
CREATE SCHEMA IF NOT EXISTS homeowner_acquisition;
CREATE SCHEMA IF NOT EXISTS etl;

COMMENT ON SCHEMA external IS
    'Market intelligence about properties we do not necessarily manage: the TMK-keyed parcel registry, manager history, county sales, scraped reviews, competitor pricing snapshots and competitive sets. Written by mi-load and mi-compset.';
COMMENT ON SCHEMA homeowner_acquisition IS
    'The homeowner-acquisition pipeline: prospects (owners), the properties we pursue, lead sources, activities, proposals, contracts, onboarding, assessments and revenue projections. Written by mi-leads and by the acquisition team.';
COMMENT ON SCHEMA etl IS
    'Operational state of the ingest pipeline: run ledger and stage results, fetch queue and HTTP state, loaded files, rejects, change events, listings and the applied-migrations ledger.';

-- ---------------------------------------------------------------------------
-- Domains
--
-- Format checks avoid bounded repetition ({1,200}) in regular expressions:
-- PostgreSQL's engine expands it, and such a check cost up to 20 us per value
-- on the pricing load; a negated class plus a length test costs under 1 us.
-- ---------------------------------------------------------------------------

-- TMK.md section 5: 13 digits CZSPPPPPPCCCC, county 1-4, zone and section
-- never 0, Kauai (4) has zones 1-5 and Maui (2) zones 1-6.
CREATE DOMAIN external.tmk AS text
    CONSTRAINT tmk_format CHECK (
        VALUE ~ '^[1-4][0-9]{12}$'
        AND substr(VALUE, 2, 1) <> '0'
        AND substr(VALUE, 3, 1) <> '0'
        AND NOT (substr(VALUE, 1, 1) = '4' AND substr(VALUE, 2, 1) > '5')
        AND NOT (substr(VALUE, 1, 1) = '2' AND substr(VALUE, 2, 1) > '6'));
COMMENT ON DOMAIN external.tmk IS
    'Canonical Hawaii Tax Map Key: 13 digits CZSPPPPPPCCCC (county 1-4, zone, section, plat 3, parcel 3, CPR unit 4; 0000 = whole parcel), zero-padded text, never numeric. Zone and section are never 0; county 4 (Kauai) has zones 1-5, county 2 (Maui) zones 1-6.';

CREATE DOMAIN external.tax_id AS text
    CONSTRAINT tax_id_format CHECK (
        VALUE ~ '^((TA|GE)-)?[0-9]{3}-[0-9]{3}-[0-9]{4}-[0-9]{2}[A-Z]?$'
        OR VALUE ~ '^W[0-9]{8}-[0-9]{2}[A-Z]?$');
COMMENT ON DOMAIN external.tax_id IS
    'Hawaii tax license id in normalized form: TA-###-###-####-## (Transient Accommodations Tax), GE-###-###-####-## (General Excise), the same digits without a type prefix when the advertisement omitted it, an optional trailing letter as seen in real ads (119-269-5808-01R), or the legacy W########-##. This is the canonical form of pipeline/taxid.h.';

CREATE DOMAIN etl.sha256 AS text
    CONSTRAINT sha256_hex CHECK (octet_length(VALUE) = 64 AND VALUE !~ '[^0-9a-f]');
COMMENT ON DOMAIN etl.sha256 IS
    'SHA-256 digest as 64 lowercase hexadecimal characters (content hashes of landed bodies, input files and records).';

CREATE DOMAIN etl.run_id AS text
    CONSTRAINT run_id_format CHECK (VALUE ~ '^[A-Za-z0-9_-][A-Za-z0-9._-]*$' AND octet_length(VALUE) <= 64);
COMMENT ON DOMAIN etl.run_id IS
    'A pipeline run id as given by mi-run (--run): 1-64 letters, digits, dot, underscore or dash, not starting with a dot (it also names the run''s folder in the landing store), e.g. nightly-20261124.';

CREATE DOMAIN etl.money AS numeric(14,2)
    CONSTRAINT money_not_negative CHECK (VALUE >= 0);
COMMENT ON DOMAIN etl.money IS
    'An amount of money in US dollars, 2 decimals, never negative (prices, fees, assessed values).';

CREATE DOMAIN etl.fraction AS numeric(5,4)
    CONSTRAINT fraction_range CHECK (VALUE >= 0 AND VALUE <= 1);
COMMENT ON DOMAIN etl.fraction IS
    'A proportion between 0 and 1 inclusive, 4 decimals (occupancy, confidence, similarity, sentiment proportions).';

CREATE DOMAIN etl.score100 AS numeric(5,2)
    CONSTRAINT score100_range CHECK (VALUE >= 0 AND VALUE <= 100);
COMMENT ON DOMAIN etl.score100 IS
    'A score on the 0-100 scale, 2 decimals (opportunity score, readiness score, contribution points).';

CREATE DOMAIN etl.percent AS numeric(5,2)
    CONSTRAINT percent_range CHECK (VALUE >= 0 AND VALUE <= 100);
COMMENT ON DOMAIN etl.percent IS
    'A percentage between 0 and 100 inclusive, 2 decimals (management fee percent, ownership percent).';

CREATE DOMAIN etl.code AS text
    CONSTRAINT code_format CHECK (VALUE ~ '^[A-Z][A-Z0-9_]+$' AND octet_length(VALUE) <= 40);
COMMENT ON DOMAIN etl.code IS
    'A reference code: an upper-case letter then 1 to 39 upper-case letters, digits or underscores (lead source codes, onboarding task codes).';

CREATE DOMAIN etl.source_id AS text
    CONSTRAINT source_id_format CHECK (VALUE ~ '^[a-z0-9][a-z0-9_.-]*$' AND octet_length(VALUE) <= 64);
COMMENT ON DOMAIN etl.source_id IS
    'Identifier of a configured source (the config/ file name without .ini, e.g. maui-sales) or of a platform (airbnb, vrbo, a PM site key): lower-case letters, digits, dot, dash, underscore, at most 64 characters.';

CREATE DOMAIN etl.external_id AS text
    CONSTRAINT external_id_format CHECK (VALUE <> '' AND octet_length(VALUE) <= 200 AND VALUE !~ '[^!-~]');
COMMENT ON DOMAIN etl.external_id IS
    'An identifier assigned by an outside system (listing id, review id, host id): 1-200 printable ASCII characters without spaces. Kept as text so that 19-digit numeric ids stay exact and slug or URL ids from PM sites fit too.';

-- ---------------------------------------------------------------------------
-- Helper functions
-- ---------------------------------------------------------------------------

CREATE FUNCTION etl.touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION etl.touch_updated_at() IS
    'Trigger function: sets updated_at to now() on every UPDATE of a row (BEFORE UPDATE FOR EACH ROW). Loads that merge with IS DISTINCT FROM guards only touch rows that really changed.';

CREATE FUNCTION etl.jsonb_scores_valid(doc jsonb, allowed text[], lo numeric, hi numeric)
    RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT jsonb_typeof(doc) = 'object'
       AND NOT EXISTS (
           SELECT 1 FROM jsonb_each(doc) AS e(k, v)
            WHERE e.k !~ '^[a-z][a-z0-9_]*$' OR octet_length(e.k) > 40
               OR (allowed IS NOT NULL AND NOT (e.k = ANY (allowed)))
               OR CASE WHEN jsonb_typeof(e.v) <> 'number' THEN true
                       ELSE e.v::numeric < lo OR e.v::numeric > hi END)
$$;
COMMENT ON FUNCTION etl.jsonb_scores_valid(jsonb, text[], numeric, numeric) IS
    'True when doc is a JSON object whose keys are lower-case codes (a letter then letters, digits, underscores; at most 40), all in allowed unless allowed is NULL, and whose values are all numbers between lo and hi inclusive. Used by CHECK constraints on score documents (review aspect scores, category ratings).';

CREATE FUNCTION etl.run_lock_key() RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 7349602011000001::bigint
$$;
COMMENT ON FUNCTION etl.run_lock_key() IS
    'The advisory-lock key that serializes pipeline runs: mi-run takes pg_try_advisory_lock(etl.run_lock_key()) on its session for the whole run and refuses to start when another session holds it. A crashed run releases it with its connection, so no stale lock row can block the next night.';

CREATE FUNCTION etl.codes_valid(codes text[]) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT NOT EXISTS (SELECT 1 FROM unnest(codes) AS c
                        WHERE c IS NULL OR c !~ '^[a-z][a-z0-9_]*$' OR octet_length(c) > 40)
$$;
COMMENT ON FUNCTION etl.codes_valid(text[]) IS
    'True when every element of codes is a lower-case code (a letter then letters, digits, underscores; at most 40) and none is NULL. Used by CHECK constraints on flag arrays (complaint flags, parser flags).';
