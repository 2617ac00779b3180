-- 107_compset_subject_inputs.sql: a subject whose inputs have not changed
-- since the day's sets were stored keeps its set without a search.
--
-- A competitive set follows from the subject's row, every candidate's row
-- with its trailing metrics, and the settings.  The night's second mi-compset
-- pass (after the leads made new prospects) computed all 52,617 sets again at
-- bench scale 1 to add the 1,745 of the new subjects: 6.6 s of search, then
-- 9.1 s to copy 526,170 members and compare them with the stored ones.
-- mi-compset now digests those inputs (SHA-256: the candidates and settings
-- once, then each subject's row with that digest) and keeps, for the day's
-- last stored run, each subject's digest and member count here.  A subject
-- whose digest is the stored one, and whose members are all still there,
-- keeps its set as stored; the others are computed and stored as before.
-- The day's sets end as a whole computation would leave them.  On the
-- database MI_BENCH_KEEP=1 make bench-night leaves, with the members and
-- digests of 1,745 subjects deleted as if they were new prospects,
-- mi-compset --as-of 2026-12-06 --no-metrics took 5.4 s (17.0 s searching
-- every set); unchanged, 3.2-3.5 s.

CREATE TABLE etl.compset_subject_inputs (
    computed_on   date NOT NULL,
    subject_tmk   external.tmk NOT NULL,
    inputs_sha256 etl.sha256 NOT NULL,
    members       integer NOT NULL CHECK (members BETWEEN 0 AND 100),
    PRIMARY KEY (computed_on, subject_tmk)
);
COMMENT ON TABLE etl.compset_subject_inputs IS
    'For the last day mi-compset stored: each subject''s input digest and the number of members stored for it in external.competitive_sets. A later run on the same day keeps the set of a subject whose digest and member count match (no search, no rows rewritten). Only one day is kept: a run for another day replaces them.';
COMMENT ON COLUMN etl.compset_subject_inputs.computed_on IS
    'The day of the competitive sets (external.competitive_sets.computed_on).';
COMMENT ON COLUMN etl.compset_subject_inputs.subject_tmk IS
    'The subject property.';
COMMENT ON COLUMN etl.compset_subject_inputs.inputs_sha256 IS
    'SHA-256 (hex) over what the subject''s set follows from: the settings, the program version, every candidate''s row with its trailing metrics, and the subject''s row (docs/metrics.md).';
COMMENT ON COLUMN etl.compset_subject_inputs.members IS
    'Members stored for the subject on that day (0 when no candidate was within the radius); a different count in external.competitive_sets means rows were added or removed since, and the set is computed again.';

-- the digests of p_day whose members are all still stored, in TMK order;
-- each subject's members counted on its index: the day's members were
-- written moments before, the statistics did not know them yet, and a join
-- with the day's counts grouped was planned as a loop that grouped all the
-- day's members again for each digest (bench scale 1: over nine minutes)
CREATE FUNCTION etl.compset_stored_inputs(p_day date)
    RETURNS TABLE (subject_tmk text, inputs_sha256 text, members integer)
    LANGUAGE sql STABLE SET jit = off AS $$
    SELECT i.subject_tmk::text, i.inputs_sha256::text, i.members
      FROM etl.compset_subject_inputs i
     WHERE i.computed_on = p_day
       AND i.members = (SELECT count(*) FROM external.competitive_sets c
                         WHERE c.subject_tmk = i.subject_tmk AND c.computed_on = p_day)
     ORDER BY i.subject_tmk COLLATE "C"
$$;
COMMENT ON FUNCTION etl.compset_stored_inputs(date) IS
    'The subjects of p_day''s stored competitive sets whose stored member count is still the number of their rows in external.competitive_sets, with their input digests, ordered by TMK (byte order): the sets mi-compset may keep without computing them.';

-- no nested loops: the day's members may be newer than the statistics (the
-- first pass wrote them minutes before the second), and a loop planned for a
-- few of them would scan the temporary tables once for each
CREATE OR REPLACE FUNCTION etl.compset_store(p_day date, OUT deleted bigint, OUT inserted bigint)
    LANGUAGE plpgsql SET jit = off SET enable_nestloop = off AS $$
BEGIN
    IF to_regclass('pg_temp.cs_day') IS NULL OR to_regclass('pg_temp.cs_subjects') IS NULL THEN
        RAISE EXCEPTION 'etl.compset_store reads pg_temp.cs_subjects and pg_temp.cs_day: create and fill them in the same transaction'
            USING ERRCODE = '55000';
    END IF;
    -- the planner's row counts for the joins below (tables made in this
    -- transaction have no statistics)
    ANALYZE pg_temp.cs_subjects;
    ANALYZE pg_temp.cs_day;
    -- the day's members, but those of subjects kept as stored, that are not
    -- among the new ones as they are (a subject no longer one has none)
    DELETE FROM external.competitive_sets c
     WHERE c.computed_on = p_day
       AND NOT EXISTS (SELECT 1 FROM pg_temp.cs_subjects s
                        WHERE s.subject_tmk = c.subject_tmk AND NOT s.computed)
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
    -- the digests: this day's subjects only, those computed now as computed
    DELETE FROM etl.compset_subject_inputs i
     WHERE i.computed_on <> p_day
        OR NOT EXISTS (SELECT 1 FROM pg_temp.cs_subjects s
                        WHERE s.subject_tmk = i.subject_tmk AND NOT s.computed);
    INSERT INTO etl.compset_subject_inputs (computed_on, subject_tmk, inputs_sha256, members)
    SELECT p_day, s.subject_tmk, s.inputs_sha256, coalesce(n.members, 0)
      FROM pg_temp.cs_subjects s
      LEFT JOIN (SELECT d.subject_tmk, count(*) AS members
                   FROM pg_temp.cs_day d
                  GROUP BY d.subject_tmk) n ON n.subject_tmk = s.subject_tmk
     WHERE s.computed;
END
$$;
COMMENT ON FUNCTION etl.compset_store(date) IS
    'Stores the competitive sets of p_day from mi-compset''s temporary tables (no such table, 55000): pg_temp.cs_subjects lists every subject with its input digest and whether its set was computed now, pg_temp.cs_day holds the members computed now (the columns of external.competitive_sets that mi-compset writes, but computed_on, which is p_day). Members of subjects not computed now (their inputs are those of the stored set) are kept; of the others, deletes the stored members not found in cs_day as they are (same subject and rank, same competitor and figures), inserts those not stored yet, keeps the rest (their id and created_at). The day''s sets end as if replaced whole. Records the digests and member counts in etl.compset_subject_inputs (this day only). Returns how many members were deleted and inserted (104, 107).';
