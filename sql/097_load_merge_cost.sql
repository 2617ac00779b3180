-- 097_load_merge_cost.sql: what every load paid whatever its size, and what a
-- review row paid besides its own bytes (make bench-night, first and next night).
--
-- 1. The listing -> parcel match (sql/load/match.sql) ran after every mi-load:
--    a 1-row PM page, a reviews file or an owner roll scanned the listings, the
--    parcels' TAT ids, the neighbourhood of every unmatched listing and the
--    manager history, about half a second at a tenth of Hawaii.  The match reads
--    the listings and the place columns of the parcels (TMK, TAT ids, address,
--    position, type, bedrooms), and only a load of listings or parcels changes
--    those: such a load now leaves a row in etl.load_match_pending in the same
--    transaction as its rows, and the match runs when there is one, taking them
--    in its own transaction.  A load killed before its match leaves its row
--    behind, so the next mi-load matches whatever it loads.
--
-- 2. The GIN indexes of TAT ids took their inserts into a pending list
--    (fastupdate), which every search reads whole: after a parcel roll each of
--    the match's TAT-id probes read the 4 MB list (1.4 ms a probe, 0.8 s for 525
--    unmatched listings).  The entries go straight into the index now.
--
-- 3. The foreign key of property_reviews (platform, listing_id) to
--    etl.listings checked each inserted review by a query of its own (18 us a
--    row, a third of a reviews load).  It is a statement-level trigger now that
--    checks the statement's new rows in one join and locks each listing they
--    name once (FOR KEY SHARE, as the foreign key did), with its other half on
--    etl.listings: a listing that reviews name cannot be deleted, rekeyed or
--    truncated away.  Same guarantee, same SQLSTATE 23503 (foreign_key_violation).

CREATE TABLE etl.load_match_pending (
    pending_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id       etl.run_id,
    source       text,
    file_name    text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE etl.load_match_pending IS
    'Loads whose rows the listing -> parcel match (sql/load/match.sql) has not seen yet: mi-load inserts one row in the transaction of a listings or parcels file that wrote rows, and its match deletes them all in its own transaction (it runs only when there is one). A load killed between its file and its match leaves its row, and the next mi-load matches.';
COMMENT ON COLUMN etl.load_match_pending.pending_id IS 'Surrogate key.';
COMMENT ON COLUMN etl.load_match_pending.run_id IS 'Run of the load that wrote the rows (NULL for the row the migration leaves so that the first load after it matches).';
COMMENT ON COLUMN etl.load_match_pending.source IS 'Source id of the load.';
COMMENT ON COLUMN etl.load_match_pending.file_name IS 'Entity file of the load (listings.tsv, properties.tsv).';
COMMENT ON COLUMN etl.load_match_pending.created_at IS 'When the load wrote it (its transaction''s start).';

-- a database migrated with loads already in it matches once more
INSERT INTO etl.load_match_pending (run_id, source, file_name) VALUES (NULL, NULL, '097_load_merge_cost.sql');

ALTER INDEX external.properties_tat_ids_idx SET (fastupdate = off);
ALTER INDEX etl.listings_tat_ids_idx SET (fastupdate = off);

-- 3. the reviews' listing, checked per statement

CREATE FUNCTION etl.property_reviews_listing_check() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    bad_platform text;
    bad_listing  text;
BEGIN
    -- the listings named, each locked once as the foreign key did, so that a
    -- concurrent delete waits for this transaction (and then sees its reviews)
    PERFORM 1
       FROM etl.listings l
       JOIN (SELECT DISTINCT platform, listing_id FROM new_rows) n
         ON l.platform = n.platform AND l.listing_id = n.listing_id
        FOR KEY SHARE OF l;
    SELECT n.platform, n.listing_id INTO bad_platform, bad_listing
      FROM new_rows n
     WHERE NOT EXISTS (SELECT 1 FROM etl.listings l
                        WHERE l.platform = n.platform AND l.listing_id = n.listing_id)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "property_reviews" violates foreign key constraint "property_reviews_listing_fkey"'
              USING ERRCODE = 'foreign_key_violation',
                    DETAIL = format('Key (platform, listing_id)=(%s, %s) is not present in table "listings".',
                                    bad_platform, bad_listing),
                    SCHEMA = 'external', TABLE = 'property_reviews',
                    CONSTRAINT = 'property_reviews_listing_fkey';
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION etl.property_reviews_listing_check() IS
    'Statement trigger of external.property_reviews (INSERT, UPDATE): every new row''s (platform, listing_id) is a row of etl.listings, checked in one join per statement, each listing locked FOR KEY SHARE once; else SQLSTATE 23503 naming property_reviews_listing_fkey. Replaces that foreign key, which ran a query per row (097).';

CREATE FUNCTION etl.listings_reviews_restrict() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        IF EXISTS (SELECT 1 FROM external.property_reviews) THEN
            RAISE EXCEPTION 'cannot truncate a table referenced in a foreign key constraint'
                  USING ERRCODE = 'feature_not_supported',
                        DETAIL = 'Table "property_reviews" references "listings".',
                        HINT = 'Truncate table "property_reviews" first.';
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.platform = OLD.platform AND NEW.listing_id = OLD.listing_id THEN
        RETURN NEW;
    END IF;
    IF EXISTS (SELECT 1 FROM external.property_reviews r
                WHERE r.platform = OLD.platform AND r.listing_id = OLD.listing_id) THEN
        RAISE EXCEPTION 'update or delete on table "listings" violates foreign key constraint "property_reviews_listing_fkey" on table "property_reviews"'
              USING ERRCODE = 'foreign_key_violation',
                    DETAIL = format('Key (platform, listing_id)=(%s, %s) is still referenced from table "property_reviews".',
                                    OLD.platform, OLD.listing_id),
                    SCHEMA = 'etl', TABLE = 'listings',
                    CONSTRAINT = 'property_reviews_listing_fkey';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
COMMENT ON FUNCTION etl.listings_reviews_restrict() IS
    'Trigger of etl.listings (BEFORE DELETE, BEFORE UPDATE OF platform, listing_id, BEFORE TRUNCATE): a listing that reviews name keeps its key, as the foreign key property_reviews_listing_fkey (NO ACTION) did; the row lock the delete or update takes waits for a review being inserted, whose statement holds the listing FOR KEY SHARE (097).';

ALTER TABLE external.property_reviews DROP CONSTRAINT property_reviews_listing_fkey;

CREATE TRIGGER property_reviews_listing_ins AFTER INSERT ON external.property_reviews
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION etl.property_reviews_listing_check();
CREATE TRIGGER property_reviews_listing_upd AFTER UPDATE ON external.property_reviews
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION etl.property_reviews_listing_check();
CREATE TRIGGER listings_reviews_restrict BEFORE DELETE OR UPDATE OF platform, listing_id
    ON etl.listings
    FOR EACH ROW EXECUTE FUNCTION etl.listings_reviews_restrict();
CREATE TRIGGER listings_reviews_restrict_truncate BEFORE TRUNCATE ON etl.listings
    FOR EACH STATEMENT EXECUTE FUNCTION etl.listings_reviews_restrict();

COMMENT ON TRIGGER property_reviews_listing_ins ON external.property_reviews IS
    'The reviews'' listing exists (etl.property_reviews_listing_check), per INSERT statement.';
COMMENT ON TRIGGER property_reviews_listing_upd ON external.property_reviews IS
    'The reviews'' listing exists (etl.property_reviews_listing_check), per UPDATE statement.';
COMMENT ON TRIGGER listings_reviews_restrict ON etl.listings IS
    'A listing named by reviews is neither deleted nor rekeyed (etl.listings_reviews_restrict).';
COMMENT ON TRIGGER listings_reviews_restrict_truncate ON etl.listings IS
    'etl.listings is not truncated while reviews exist (etl.listings_reviews_restrict).';
