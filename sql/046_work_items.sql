-- 046_work_items.sql: a night as work items, so that several hosts share it.
--
-- mi-run nightly --worker plans each (source, stage) of the run as one row here
-- (fetch, parse, score and load per source; compset and leads once), then
-- every worker claims the next item whose predecessors are finished (a
-- source's parse after its fetch, its score after its parse, its load after
-- its score and after the load of every source before it in the night's
-- order; compset after every load; leads after compset) with FOR UPDATE SKIP
-- LOCKED, runs it, and marks it done.  While an item runs its worker renews
-- its lease (heartbeat_at, lease_until) from a thread of its own.  An item
-- whose lease expired and whose worker's session is gone (the session
-- advisory lock (1835628395, worker_key) is no longer held: the process or
-- the host died) is taken over by the next worker that claims.  The one-host
-- mi-run nightly does not use this table.

CREATE TABLE etl.work_items (
    run_id        etl.run_id NOT NULL REFERENCES etl.runs (run_id) ON DELETE CASCADE,
    stage         text NOT NULL CHECK (stage IN ('fetch', 'parse', 'score', 'load', 'compset', 'leads')),
    source        etl.source_id,
    seq           integer NOT NULL CHECK (seq >= 0),
    status        text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'running', 'done')),
    outcome       text CHECK (outcome IN ('succeeded', 'partial', 'failed', 'skipped')),
    exit_code     smallint CHECK (exit_code BETWEEN 0 AND 255),
    attempts      smallint NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    completions   smallint NOT NULL DEFAULT 0 CHECK (completions >= 0),
    worker        text,
    worker_key    integer CHECK (worker_key > 0),
    claimed_at    timestamptz,
    heartbeat_at  timestamptz,
    lease_until   timestamptz,
    finished_at   timestamptz,
    CONSTRAINT work_items_key UNIQUE NULLS NOT DISTINCT (run_id, stage, source),
    CONSTRAINT work_items_source CHECK ((stage IN ('compset', 'leads')) = (source IS NULL)),
    CONSTRAINT work_items_lease CHECK ((status = 'running') = (lease_until IS NOT NULL)),
    CONSTRAINT work_items_done CHECK ((status = 'done') = (finished_at IS NOT NULL AND outcome IS NOT NULL))
);
CREATE INDEX work_items_open_idx ON etl.work_items (run_id, seq) WHERE status <> 'done';

COMMENT ON TABLE etl.work_items IS
    'The work items of a night shared between hosts (mi-run nightly --worker): one per (source, stage) of the run, and one each for compset and leads. Claimed with FOR UPDATE SKIP LOCKED in dependency order, leased and heartbeated while they run, taken over when the lease expired and the worker''s session is gone.';
COMMENT ON COLUMN etl.work_items.run_id IS 'The run (etl.runs) the item belongs to.';
COMMENT ON COLUMN etl.work_items.stage IS 'fetch, parse, score, load (per source), compset or leads (once per run).';
COMMENT ON COLUMN etl.work_items.source IS 'Source id (config/sources/<id>.ini); NULL for compset and leads.';
COMMENT ON COLUMN etl.work_items.seq IS 'Place in the night''s plan: the order of the one-host run (sources by kind: parcels and owners first, pricing last); loads run in this order.';
COMMENT ON COLUMN etl.work_items.status IS 'waiting (not claimed, or given back), running (claimed; see lease_until) or done.';
COMMENT ON COLUMN etl.work_items.outcome IS 'How the item ended: succeeded, partial, failed (the stage''s row in etl.stage_results says why) or skipped (nothing to do, or an earlier stage of the source failed).';
COMMENT ON COLUMN etl.work_items.exit_code IS 'The stage''s exit code when it ran.';
COMMENT ON COLUMN etl.work_items.attempts IS 'Times the item was claimed; more than one when a worker died holding it.';
COMMENT ON COLUMN etl.work_items.completions IS 'Times the item was marked done: a completion counts only for the worker that holds the claim, so it is never more than one.';
COMMENT ON COLUMN etl.work_items.worker IS 'The worker that holds or last held the item ("host:pid").';
COMMENT ON COLUMN etl.work_items.worker_key IS 'The worker''s session advisory lock (1835628395, worker_key), held for its whole life: a lease is taken over only when nobody holds it.';
COMMENT ON COLUMN etl.work_items.claimed_at IS 'When the item was last claimed.';
COMMENT ON COLUMN etl.work_items.heartbeat_at IS 'The last renewal of the lease by the worker''s heartbeat.';
COMMENT ON COLUMN etl.work_items.lease_until IS 'While running: the claim holds until then unless renewed (mi-run --lease).';
COMMENT ON COLUMN etl.work_items.finished_at IS 'When the item was marked done.';
