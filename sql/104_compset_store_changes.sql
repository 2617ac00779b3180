-- 104_compset_store_changes.sql: mi-compset writes the members that changed,
-- not the whole day again.
--
-- mi-compset replaced the day's competitive sets whole: it deleted every
-- member computed on the day, then copied them all in again.  A night runs it
-- twice (mi-run's second pass, after the leads made new prospects: their
-- properties become subjects), and the second run computes the same members
-- for every subject but the new ones.  At bench scale 1 that rewrote 526,170
-- members to add 17,450, 20.7 s: each inserted row checks its two foreign keys
-- to external.properties one query at a time, goes into five indexes, and the
-- unique ones first meet the row just deleted under the same key.
--
-- The members now go to a temporary table of the same columns but the day
-- (pg_temp.cs_day, made by mi-compset in its transaction), and
-- etl.compset_store writes the difference: it deletes the day's members that
-- are not among them as they are (a subject gone, a rank with another
-- competitor or other figures), then inserts those not stored yet.  The table
-- ends the same as before, row for row; a member computed as it was keeps its
-- row (its id and created_at), as a re-run of the day should.

CREATE FUNCTION etl.compset_store(p_day date, OUT deleted bigint, OUT inserted bigint)
    LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    IF to_regclass('pg_temp.cs_day') IS NULL THEN
        RAISE EXCEPTION 'etl.compset_store reads the members of pg_temp.cs_day: create and fill it in the same transaction'
            USING ERRCODE = '55000';
    END IF;
    -- the planner's row counts for the joins below (a table made in this
    -- transaction has no statistics)
    ANALYZE pg_temp.cs_day;
    -- the day's members that are not among the new ones as they are
    DELETE FROM external.competitive_sets c
     WHERE c.computed_on = p_day
       AND NOT EXISTS (
           SELECT 1 FROM pg_temp.cs_day n
            WHERE n.subject_tmk = c.subject_tmk AND n.rank = c.rank
              AND (n.competitor_tmk, n.competitor_platform, n.competitor_listing_id, n.similarity,
                   n.distance_m, n.basis, n.metrics_from, n.metrics_to, n.nights_observed,
                   n.booked_nights, n.blocked_nights, n.adr, n.occupancy, n.revpar)
                  IS NOT DISTINCT FROM
                  (c.competitor_tmk, c.competitor_platform, c.competitor_listing_id, c.similarity,
                   c.distance_m, c.basis, c.metrics_from, c.metrics_to, c.nights_observed,
                   c.booked_nights, c.blocked_nights, c.adr, c.occupancy, c.revpar));
    GET DIAGNOSTICS deleted = ROW_COUNT;
    -- what is left of the day is kept; the new members go in
    INSERT INTO external.competitive_sets
           (subject_tmk, competitor_tmk, competitor_platform, competitor_listing_id, computed_on,
            rank, similarity, distance_m, basis, metrics_from, metrics_to, nights_observed,
            booked_nights, blocked_nights, adr, occupancy, revpar)
    SELECT n.subject_tmk, n.competitor_tmk, n.competitor_platform, n.competitor_listing_id,
           p_day, n.rank, n.similarity, n.distance_m, n.basis, n.metrics_from,
           n.metrics_to, n.nights_observed, n.booked_nights, n.blocked_nights, n.adr,
           n.occupancy, n.revpar
      FROM pg_temp.cs_day n
     WHERE NOT EXISTS (SELECT 1 FROM external.competitive_sets c
                        WHERE c.subject_tmk = n.subject_tmk AND c.computed_on = p_day
                          AND c.rank = n.rank);
    GET DIAGNOSTICS inserted = ROW_COUNT;
END
$$;
COMMENT ON FUNCTION etl.compset_store(date) IS
    'Stores the competitive sets of p_day that mi-compset copied into pg_temp.cs_day (the columns of external.competitive_sets that mi-compset writes, but computed_on, which is p_day; no such table, 55000): deletes the members of p_day not found there as they are (same subject and rank, same competitor and figures), inserts those not stored yet, keeps the rest (their id and created_at). The day''s sets end as the temporary table''s, as if replaced whole. Returns how many were deleted and inserted; the others were kept (104).';
