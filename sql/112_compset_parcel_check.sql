-- 112_compset_parcel_check.sql: a competitive set's parcels checked once per
-- statement, not by a query per member and per key.
--
-- mi-compset stores every subject's set each day (etl.compset_store: some
-- 526,000 members at bench scale 1, on every night).  The two foreign keys of
-- external.competitive_sets to external.properties (subject_tmk and
-- competitor_tmk) checked each inserted member by a query of their own: 4.9 s
-- and 5.8 s of the 21.9 s the insert of one day's members took.  As 097 did
-- for the reviews' listing, they become a statement-level trigger that checks
-- the statement's new rows in one join and locks each parcel they name once
-- (FOR KEY SHARE, as the foreign keys did), with its other half on
-- external.properties: a parcel that a set names cannot be deleted, rekeyed
-- or truncated away.  Same guarantee, same SQLSTATE 23503
-- (foreign_key_violation) naming the constraint that was dropped.
--
-- The check is planned without nested loops, as 109 plans the reviews' one:
-- statistics taken before a load committed, or after one rolled back, can
-- say external.properties is empty, and a nested loop would then read the
-- parcels once per member.  One pass over the parcels locks those named; a
-- second looks for a missing one only when fewer parcels were locked than
-- keys named.  tests/t0717-compset-parcel-check.sh.

CREATE FUNCTION etl.competitive_sets_parcel_check() RETURNS trigger
    LANGUAGE plpgsql SET enable_nestloop = off AS $$
DECLARE
    named   bigint;
    locked  bigint;
    bad_col text;
    bad_tmk text;
BEGIN
    -- the parcels named, each locked once as the foreign keys did, so that a
    -- concurrent delete waits for this transaction (and then sees its sets)
    WITH k AS MATERIALIZED (
        SELECT n.subject_tmk AS tmk FROM new_rows n
        UNION
        SELECT n.competitor_tmk FROM new_rows n WHERE n.competitor_tmk IS NOT NULL)
    SELECT (SELECT count(*) FROM k), count(*) INTO named, locked
      FROM (SELECT 1
              FROM external.properties p
              JOIN k ON p.tmk = k.tmk
               FOR KEY SHARE OF p) x;
    IF locked = named THEN
        RETURN NULL;
    END IF;
    SELECT c, t INTO bad_col, bad_tmk
      FROM (SELECT 'subject_tmk' AS c, n.subject_tmk::text AS t FROM new_rows n
            UNION ALL
            SELECT 'competitor_tmk', n.competitor_tmk::text FROM new_rows n
             WHERE n.competitor_tmk IS NOT NULL) k
     WHERE NOT EXISTS (SELECT 1 FROM external.properties p WHERE p.tmk = k.t)
     ORDER BY 1 DESC, 2
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "competitive_sets" violates foreign key constraint "competitive_sets_%_fkey"', bad_col
              USING ERRCODE = 'foreign_key_violation',
                    DETAIL = format('Key (%s)=(%s) is not present in table "properties".', bad_col, bad_tmk),
                    SCHEMA = 'external', TABLE = 'competitive_sets',
                    CONSTRAINT = 'competitive_sets_' || bad_col || '_fkey';
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION etl.competitive_sets_parcel_check() IS
    'Statement trigger of external.competitive_sets (INSERT, UPDATE): every new row''s subject_tmk and competitor_tmk (when given) is a parcel of external.properties, checked in one join per statement, each parcel locked FOR KEY SHARE once; else SQLSTATE 23503 naming competitive_sets_subject_tmk_fkey or competitive_sets_competitor_tmk_fkey. Replaces those foreign keys, which ran a query per member and key (112).';

CREATE FUNCTION etl.properties_compset_restrict() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    bad_col text;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        IF EXISTS (SELECT 1 FROM external.competitive_sets) THEN
            RAISE EXCEPTION 'cannot truncate a table referenced in a foreign key constraint'
                  USING ERRCODE = 'feature_not_supported',
                        DETAIL = 'Table "competitive_sets" references "properties".',
                        HINT = 'Truncate table "competitive_sets" first.';
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.tmk = OLD.tmk THEN
        RETURN NEW;
    END IF;
    IF EXISTS (SELECT 1 FROM external.competitive_sets c WHERE c.subject_tmk = OLD.tmk) THEN
        bad_col := 'subject_tmk';
    ELSIF EXISTS (SELECT 1 FROM external.competitive_sets c WHERE c.competitor_tmk = OLD.tmk) THEN
        bad_col := 'competitor_tmk';
    END IF;
    IF bad_col IS NOT NULL THEN
        RAISE EXCEPTION 'update or delete on table "properties" violates foreign key constraint "competitive_sets_%_fkey" on table "competitive_sets"', bad_col
              USING ERRCODE = 'foreign_key_violation',
                    DETAIL = format('Key (tmk)=(%s) is still referenced from table "competitive_sets".', OLD.tmk),
                    SCHEMA = 'external', TABLE = 'properties',
                    CONSTRAINT = 'competitive_sets_' || bad_col || '_fkey';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
COMMENT ON FUNCTION etl.properties_compset_restrict() IS
    'Trigger of external.properties (BEFORE DELETE, BEFORE UPDATE OF tmk, BEFORE TRUNCATE): a parcel that a competitive set names keeps its key, as the foreign keys competitive_sets_subject_tmk_fkey and competitive_sets_competitor_tmk_fkey (NO ACTION) did; the row lock the delete or update takes waits for a set being inserted, whose statement holds the parcel FOR KEY SHARE (112).';

ALTER TABLE external.competitive_sets DROP CONSTRAINT competitive_sets_subject_tmk_fkey;
ALTER TABLE external.competitive_sets DROP CONSTRAINT competitive_sets_competitor_tmk_fkey;

CREATE TRIGGER competitive_sets_parcel_ins AFTER INSERT ON external.competitive_sets
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION etl.competitive_sets_parcel_check();
CREATE TRIGGER competitive_sets_parcel_upd AFTER UPDATE ON external.competitive_sets
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION etl.competitive_sets_parcel_check();
CREATE TRIGGER properties_compset_restrict BEFORE DELETE OR UPDATE OF tmk
    ON external.properties
    FOR EACH ROW EXECUTE FUNCTION etl.properties_compset_restrict();
CREATE TRIGGER properties_compset_restrict_truncate BEFORE TRUNCATE ON external.properties
    FOR EACH STATEMENT EXECUTE FUNCTION etl.properties_compset_restrict();

COMMENT ON TRIGGER competitive_sets_parcel_ins ON external.competitive_sets IS
    'The sets'' parcels exist (etl.competitive_sets_parcel_check), per INSERT statement.';
COMMENT ON TRIGGER competitive_sets_parcel_upd ON external.competitive_sets IS
    'The sets'' parcels exist (etl.competitive_sets_parcel_check), per UPDATE statement.';
COMMENT ON TRIGGER properties_compset_restrict ON external.properties IS
    'A parcel named by competitive sets is neither deleted nor rekeyed (etl.properties_compset_restrict).';
COMMENT ON TRIGGER properties_compset_restrict_truncate ON external.properties IS
    'external.properties is not truncated while competitive sets exist (etl.properties_compset_restrict).';

COMMENT ON COLUMN external.competitive_sets.subject_tmk IS
    'The property the set is computed for (ours or a prospect''s): a parcel of external.properties (checked per statement by etl.competitive_sets_parcel_check, 112).';
COMMENT ON COLUMN external.competitive_sets.competitor_tmk IS
    'The competing property, when its listing is matched to a parcel: a parcel of external.properties (checked per statement by etl.competitive_sets_parcel_check, 112).';
