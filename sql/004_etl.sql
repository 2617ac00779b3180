-- 004_etl.sql: operational tables of the pipeline (run ledger, fetch queue and
-- HTTP state, loaded files, rejects, change events), the listings registry,
-- and the foreign keys from earlier files that point into etl.
--
-- etl.schema_migrations is created and maintained by mi-migrate itself.
-- One run at a time is enforced with a session advisory lock on
-- etl.run_lock_key() (001), not with a lock table.

-- ---------------------------------------------------------------------------
-- etl.runs, etl.stage_results
-- ---------------------------------------------------------------------------
CREATE TABLE etl.runs (
    run_id         etl.run_id PRIMARY KEY,
    kind           text NOT NULL CHECK (kind IN ('nightly', 'backfill', 'manual', 'test')),
    status         text NOT NULL DEFAULT 'running'
                   CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'aborted')),
    started_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz,
    date_from      date,
    date_to        date,
    sources        text[] NOT NULL DEFAULT '{}',
    host           text,
    pid            integer CHECK (pid > 0),
    started_by     text,
    code_version   text,
    args           jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(args) = 'object'),
    summary        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(summary) = 'object'),
    exit_code      smallint CHECK (exit_code BETWEEN 0 AND 255),
    error          text,
    CONSTRAINT runs_finished CHECK ((status = 'running') = (finished_at IS NULL)),
    CONSTRAINT runs_finish_order CHECK (finished_at IS NULL OR finished_at >= started_at),
    CONSTRAINT runs_date_range CHECK (date_from IS NULL OR date_to IS NULL OR date_to >= date_from),
    CONSTRAINT runs_failed_error CHECK (status NOT IN ('failed', 'aborted') OR error IS NOT NULL)
);

CREATE INDEX runs_started_idx ON etl.runs (started_at DESC);
CREATE INDEX runs_running_idx ON etl.runs (run_id) WHERE status = 'running';

COMMENT ON TABLE etl.runs IS
    'Run ledger: one row per pipeline run (nightly, backfill over a date range, manual or test). mi-run inserts it at start under the advisory lock etl.run_lock_key() and closes it with status, exit code and summary; every stage records its results against the run id. A stage run alone registers its run first (INSERT ... (run_id, kind) VALUES ($1, ''manual'') ON CONFLICT DO NOTHING). Other tables carry run ids without a foreign key, so purging old runs keeps their data.';
COMMENT ON COLUMN etl.runs.run_id IS 'Run id chosen by mi-run (e.g. nightly-20261124), given to every stage (--run) and stored on the rows the run writes; also the run''s folder in the landing store.';
COMMENT ON COLUMN etl.runs.kind IS 'nightly (scheduled), backfill (re-parse or re-fetch a date range), manual or test.';
COMMENT ON COLUMN etl.runs.status IS 'running, succeeded, partial (some sources failed or were parked), failed or aborted.';
COMMENT ON COLUMN etl.runs.started_at IS 'When the run started.';
COMMENT ON COLUMN etl.runs.finished_at IS 'When the run ended; NULL exactly while running.';
COMMENT ON COLUMN etl.runs.date_from IS 'First date of a backfill range (inclusive).';
COMMENT ON COLUMN etl.runs.date_to IS 'Last date of a backfill range (inclusive).';
COMMENT ON COLUMN etl.runs.sources IS 'Source ids the run was limited to; empty = all configured sources.';
COMMENT ON COLUMN etl.runs.host IS 'Host name of the machine that ran mi-run.';
COMMENT ON COLUMN etl.runs.pid IS 'Process id of mi-run on that host.';
COMMENT ON COLUMN etl.runs.started_by IS 'OS user or scheduler that started the run.';
COMMENT ON COLUMN etl.runs.code_version IS 'Version of the binaries (mi-run --version).';
COMMENT ON COLUMN etl.runs.args IS 'Command-line options and effective settings of the run (JSON object; never secrets).';
COMMENT ON COLUMN etl.runs.summary IS 'Final summary (JSON object): per-stage counts, reject ratios, parked hosts, alerts.';
COMMENT ON COLUMN etl.runs.exit_code IS 'Exit code of mi-run (see pipeline/exitcode.h).';
COMMENT ON COLUMN etl.runs.error IS 'Primary error message of a failed or aborted run; required for those statuses.';

CREATE TABLE etl.stage_results (
    stage_result_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id           etl.run_id NOT NULL REFERENCES etl.runs (run_id) ON DELETE CASCADE,
    stage            text NOT NULL CHECK (stage IN ('fetch', 'parse', 'score', 'load', 'compset', 'leads')),
    source           etl.source_id,
    status           text NOT NULL DEFAULT 'running'
                     CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'skipped')),
    attempt          smallint NOT NULL DEFAULT 1 CHECK (attempt >= 1),
    started_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    files            integer NOT NULL DEFAULT 0 CHECK (files >= 0),
    bytes_read       bigint NOT NULL DEFAULT 0 CHECK (bytes_read >= 0),
    rows_read        bigint NOT NULL DEFAULT 0 CHECK (rows_read >= 0),
    rows_inserted    bigint NOT NULL DEFAULT 0 CHECK (rows_inserted >= 0),
    rows_updated     bigint NOT NULL DEFAULT 0 CHECK (rows_updated >= 0),
    rows_unchanged   bigint NOT NULL DEFAULT 0 CHECK (rows_unchanged >= 0),
    rows_skipped     bigint NOT NULL DEFAULT 0 CHECK (rows_skipped >= 0),
    rows_rejected    bigint NOT NULL DEFAULT 0 CHECK (rows_rejected >= 0),
    detail           jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(detail) = 'object'),
    error            text,
    CONSTRAINT stage_results_key UNIQUE NULLS NOT DISTINCT (run_id, stage, source),
    CONSTRAINT stage_results_finished CHECK ((status = 'running') = (finished_at IS NULL)),
    CONSTRAINT stage_results_finish_order CHECK (finished_at IS NULL OR finished_at >= started_at),
    CONSTRAINT stage_results_failed_error CHECK (status <> 'failed' OR error IS NOT NULL),
    CONSTRAINT stage_results_load_reconciles CHECK (
        stage <> 'load' OR status <> 'succeeded'
        OR rows_read = rows_inserted + rows_updated + rows_unchanged + rows_skipped + rows_rejected)
);

COMMENT ON TABLE etl.stage_results IS
    'Result of one stage of a run, per source (source NULL = the stage as a whole): status, timings and row counts. A re-run of the stage on the same run id updates its row (unique run + stage + source) and bumps attempt. A succeeded load must reconcile: read = inserted + updated + unchanged + skipped + rejected.';
COMMENT ON COLUMN etl.stage_results.stage_result_id IS 'Surrogate key.';
COMMENT ON COLUMN etl.stage_results.run_id IS 'The run (etl.runs).';
COMMENT ON COLUMN etl.stage_results.stage IS 'fetch, parse, score, load, compset or leads.';
COMMENT ON COLUMN etl.stage_results.source IS 'Source id the counts are for; NULL for the whole stage.';
COMMENT ON COLUMN etl.stage_results.status IS 'running, succeeded, partial, failed or skipped.';
COMMENT ON COLUMN etl.stage_results.attempt IS 'How many times the stage ran on this run id (1 for the first).';
COMMENT ON COLUMN etl.stage_results.started_at IS 'When the (last) attempt started.';
COMMENT ON COLUMN etl.stage_results.finished_at IS 'When it ended; NULL exactly while running.';
COMMENT ON COLUMN etl.stage_results.files IS 'Files or HTTP bodies processed.';
COMMENT ON COLUMN etl.stage_results.bytes_read IS 'Input bytes processed.';
COMMENT ON COLUMN etl.stage_results.rows_read IS 'Records read from the input.';
COMMENT ON COLUMN etl.stage_results.rows_inserted IS 'Rows inserted into the target tables.';
COMMENT ON COLUMN etl.stage_results.rows_updated IS 'Existing rows changed.';
COMMENT ON COLUMN etl.stage_results.rows_unchanged IS 'Records identical to rows already stored.';
COMMENT ON COLUMN etl.stage_results.rows_skipped IS 'Records skipped on purpose (duplicates within the input, already-loaded files, out-of-scope rows).';
COMMENT ON COLUMN etl.stage_results.rows_rejected IS 'Records refused (each has an etl.rejects row).';
COMMENT ON COLUMN etl.stage_results.detail IS 'Stage-specific figures (JSON object): per-table counts, null rates, HTTP status counts, timings.';
COMMENT ON COLUMN etl.stage_results.error IS 'Primary error message of a failed stage.';

-- ---------------------------------------------------------------------------
-- Fetching: per-host politeness, per-URL HTTP state, the shared queue
-- ---------------------------------------------------------------------------
CREATE TABLE etl.host_state (
    host                text PRIMARY KEY CHECK (host ~ '^[a-z0-9.-]+$' AND host <> ''),
    min_interval_ms     integer NOT NULL DEFAULT 1000 CHECK (min_interval_ms >= 0),
    max_concurrency     smallint NOT NULL DEFAULT 1 CHECK (max_concurrency BETWEEN 1 AND 64),
    next_allowed_at     timestamptz NOT NULL DEFAULT now(),
    parked_until        timestamptz,
    parked_reason       text,
    consecutive_errors  integer NOT NULL DEFAULT 0 CHECK (consecutive_errors >= 0),
    robots_status       smallint CHECK (robots_status BETWEEN 0 AND 599),
    robots_body         text,
    robots_fetched_at   timestamptz,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT host_state_parked CHECK (parked_until IS NULL OR parked_reason IS NOT NULL)
);

CREATE TRIGGER host_state_touch BEFORE UPDATE ON etl.host_state
    FOR EACH ROW EXECUTE FUNCTION etl.touch_updated_at();

COMMENT ON TABLE etl.host_state IS
    'Politeness state per remote host, shared by every fetch worker: when the next request may start, the interval and concurrency allowed, Retry-After parking, and the cached robots.txt.';
COMMENT ON COLUMN etl.host_state.host IS 'Host name in lower case (no port).';
COMMENT ON COLUMN etl.host_state.min_interval_ms IS 'Minimum interval between request starts to this host, in milliseconds (from config).';
COMMENT ON COLUMN etl.host_state.max_concurrency IS 'Maximum simultaneous transfers to this host.';
COMMENT ON COLUMN etl.host_state.next_allowed_at IS 'Earliest time the next request may start (last start + interval, or Retry-After).';
COMMENT ON COLUMN etl.host_state.parked_until IS 'Host parked (no requests) until this time, after a Retry-After longer than the night''s budget or repeated errors.';
COMMENT ON COLUMN etl.host_state.parked_reason IS 'Why the host is parked (e.g. 429 Retry-After 7200); required with parked_until.';
COMMENT ON COLUMN etl.host_state.consecutive_errors IS 'Consecutive failed requests (network errors, 5xx, 429).';
COMMENT ON COLUMN etl.host_state.robots_status IS 'HTTP status of the last robots.txt fetch (0 = network error or timeout: fail closed).';
COMMENT ON COLUMN etl.host_state.robots_body IS 'Body of the last robots.txt fetched (cached for a day).';
COMMENT ON COLUMN etl.host_state.robots_fetched_at IS 'When robots.txt was last fetched.';
COMMENT ON COLUMN etl.host_state.updated_at IS 'When the row was last updated (set by trigger).';

CREATE TABLE etl.fetch_state (
    url                   text PRIMARY KEY CHECK (url ~ '^[A-Za-z][A-Za-z0-9+.-]*://'),
    source                etl.source_id NOT NULL,
    etag                  text,
    last_modified         text,
    last_hash             etl.sha256,
    last_status           smallint CHECK (last_status BETWEEN 0 AND 599),
    content_length        bigint CHECK (content_length >= 0),
    cursor                text,
    last_fetched_at       timestamptz,
    last_changed_at       timestamptz,
    consecutive_failures  integer NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    last_run_id           etl.run_id,
    updated_at            timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX fetch_state_source_idx ON etl.fetch_state (source);

CREATE TRIGGER fetch_state_touch BEFORE UPDATE ON etl.fetch_state
    FOR EACH ROW EXECUTE FUNCTION etl.touch_updated_at();

COMMENT ON TABLE etl.fetch_state IS
    'Conditional-request and incremental state per URL: validators (ETag, Last-Modified) for If-None-Match / If-Modified-Since, the hash of the last body, and the pagination cursor or bookmark. Updated in the same transaction as the rows it covers.';
COMMENT ON COLUMN etl.fetch_state.url IS 'Absolute URL (natural key).';
COMMENT ON COLUMN etl.fetch_state.source IS 'Source id the URL belongs to.';
COMMENT ON COLUMN etl.fetch_state.etag IS 'ETag of the last 200 response, sent back as If-None-Match.';
COMMENT ON COLUMN etl.fetch_state.last_modified IS 'Last-Modified header of the last 200 response, verbatim (HTTP-date), sent back as If-Modified-Since.';
COMMENT ON COLUMN etl.fetch_state.last_hash IS 'SHA-256 of the last body landed (unchanged bodies are not re-parsed).';
COMMENT ON COLUMN etl.fetch_state.last_status IS 'HTTP status of the last attempt (0 = no response).';
COMMENT ON COLUMN etl.fetch_state.content_length IS 'Size in bytes of the last body.';
COMMENT ON COLUMN etl.fetch_state.cursor IS 'Incremental bookmark of a paginated API (cursor, page token or max updated-at seen).';
COMMENT ON COLUMN etl.fetch_state.last_fetched_at IS 'When the URL was last requested.';
COMMENT ON COLUMN etl.fetch_state.last_changed_at IS 'When the body last changed (hash differed).';
COMMENT ON COLUMN etl.fetch_state.consecutive_failures IS 'Consecutive failed attempts on this URL.';
COMMENT ON COLUMN etl.fetch_state.last_run_id IS 'Run that last fetched the URL (etl.runs.run_id, not a foreign key).';
COMMENT ON COLUMN etl.fetch_state.updated_at IS 'When the row was last updated (set by trigger).';

CREATE TABLE etl.fetch_queue (
    fetch_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id            etl.run_id NOT NULL,
    source            etl.source_id NOT NULL,
    url               text NOT NULL CHECK (url ~ '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]'),
    host              text NOT NULL GENERATED ALWAYS AS (
                          lower(substring(url FROM '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]+)'))) STORED,
    entity            text,
    priority          smallint NOT NULL DEFAULT 100,
    state             text NOT NULL DEFAULT 'queued'
                      CHECK (state IN ('queued', 'leased', 'done', 'failed', 'parked', 'skipped')),
    worker            text,
    lease_until       timestamptz,
    attempts          smallint NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts      smallint NOT NULL DEFAULT 5 CHECK (max_attempts >= 1),
    next_try_at       timestamptz NOT NULL DEFAULT now(),
    last_http_status  smallint CHECK (last_http_status BETWEEN 0 AND 599),
    last_error        text,
    landing_hash      etl.sha256,
    bytes             bigint CHECK (bytes >= 0),
    enqueued_at       timestamptz NOT NULL DEFAULT now(),
    started_at        timestamptz,
    finished_at       timestamptz,
    CONSTRAINT fetch_queue_key UNIQUE (run_id, url),
    CONSTRAINT fetch_queue_lease CHECK ((state = 'leased') = (lease_until IS NOT NULL AND worker IS NOT NULL)
                                        AND (lease_until IS NULL OR state = 'leased')),
    CONSTRAINT fetch_queue_done CHECK (state <> 'done' OR landing_hash IS NOT NULL OR last_http_status = 304)
);

CREATE INDEX fetch_queue_ready_idx ON etl.fetch_queue (priority, next_try_at, fetch_id) WHERE state = 'queued';
CREATE INDEX fetch_queue_lease_idx ON etl.fetch_queue (lease_until) WHERE state = 'leased';
CREATE INDEX fetch_queue_run_state_idx ON etl.fetch_queue (run_id, state);

COMMENT ON TABLE etl.fetch_queue IS
    'The shared fetch queue: URLs to fetch for a run, claimed by workers on any host with FOR UPDATE SKIP LOCKED (see etl.claim_fetch_items), leased until lease_until; an expired lease is claimable again. Unique per run and URL so re-enqueueing is idempotent.';
COMMENT ON COLUMN etl.fetch_queue.fetch_id IS 'Surrogate key.';
COMMENT ON COLUMN etl.fetch_queue.run_id IS 'The run the fetch belongs to (etl.runs.run_id, not a foreign key: mi-fetch can run alone).';
COMMENT ON COLUMN etl.fetch_queue.source IS 'Source id (config/ name) that produced the URL.';
COMMENT ON COLUMN etl.fetch_queue.url IS 'Absolute URL to fetch.';
COMMENT ON COLUMN etl.fetch_queue.host IS 'Lower-case host of url (derived), the key of etl.host_state.';
COMMENT ON COLUMN etl.fetch_queue.entity IS 'What the body is expected to hold (listings, reviews, calendar, sales, parcel, robots ...), for the parser.';
COMMENT ON COLUMN etl.fetch_queue.priority IS 'Lower runs first (robots.txt and index pages before detail pages).';
COMMENT ON COLUMN etl.fetch_queue.state IS 'queued, leased (a worker holds it), done, failed (attempts exhausted or permanent error), parked (host parked) or skipped (robots.txt disallows, or out of scope).';
COMMENT ON COLUMN etl.fetch_queue.worker IS 'Worker holding the lease (host:pid).';
COMMENT ON COLUMN etl.fetch_queue.lease_until IS 'Lease expiry; set exactly while leased.';
COMMENT ON COLUMN etl.fetch_queue.attempts IS 'Attempts made so far.';
COMMENT ON COLUMN etl.fetch_queue.max_attempts IS 'Attempts allowed before the item fails.';
COMMENT ON COLUMN etl.fetch_queue.next_try_at IS 'Earliest time of the next attempt (backoff with jitter, Retry-After).';
COMMENT ON COLUMN etl.fetch_queue.last_http_status IS 'HTTP status of the last attempt (0 = no response).';
COMMENT ON COLUMN etl.fetch_queue.last_error IS 'Error message of the last failed attempt.';
COMMENT ON COLUMN etl.fetch_queue.landing_hash IS 'SHA-256 of the body landed by the successful attempt (the landing store key).';
COMMENT ON COLUMN etl.fetch_queue.bytes IS 'Size in bytes of the landed body.';
COMMENT ON COLUMN etl.fetch_queue.enqueued_at IS 'When the URL was queued.';
COMMENT ON COLUMN etl.fetch_queue.started_at IS 'When the last attempt started.';
COMMENT ON COLUMN etl.fetch_queue.finished_at IS 'When the item reached done, failed or skipped.';

CREATE FUNCTION etl.claim_fetch_items(claimer text, how_many integer, lease interval DEFAULT interval '5 minutes')
    RETURNS SETOF etl.fetch_queue
    LANGUAGE plpgsql AS $$
BEGIN
    IF claimer IS NULL OR claimer = '' THEN
        RAISE EXCEPTION 'claimer must not be empty' USING ERRCODE = '22023';
    END IF;
    IF how_many IS NULL OR how_many < 1 OR how_many > 10000 THEN
        RAISE EXCEPTION 'item count "%" out of range 1-10000', how_many USING ERRCODE = '22023';
    END IF;
    RETURN QUERY
    UPDATE etl.fetch_queue q
       SET state = 'leased', worker = claimer, lease_until = now() + lease,
           attempts = q.attempts + 1, started_at = now()
     WHERE q.fetch_id IN (
           SELECT c.fetch_id
             FROM etl.fetch_queue c
             LEFT JOIN etl.host_state h ON h.host = c.host
            WHERE ((c.state = 'queued' AND c.next_try_at <= now())
                   OR (c.state = 'leased' AND c.lease_until < now()))
              AND c.attempts < c.max_attempts
              AND (h.host IS NULL OR (h.next_allowed_at <= now()
                                      AND (h.parked_until IS NULL OR h.parked_until <= now())))
            ORDER BY c.priority, c.next_try_at, c.fetch_id
            LIMIT how_many
              FOR UPDATE OF c SKIP LOCKED)
    RETURNING q.*;
END
$$;
COMMENT ON FUNCTION etl.claim_fetch_items(text, integer, interval) IS
    'Leases up to how_many ready items of etl.fetch_queue to claimer (queued items due now, or leases that expired), skipping hosts that are parked or not yet allowed by etl.host_state, with FOR UPDATE SKIP LOCKED so concurrent workers never share an item; returns the leased rows. The worker still spaces requests per host itself.';

-- ---------------------------------------------------------------------------
-- Loaded files, rejects
-- ---------------------------------------------------------------------------
CREATE TABLE etl.loaded_files (
    content_sha256  etl.sha256 NOT NULL,
    entity          text NOT NULL CHECK (entity IN ('properties', 'owners', 'sales', 'listings', 'reviews',
                                                    'pricing')),
    source          etl.source_id NOT NULL,
    file_name       text NOT NULL,
    bytes           bigint NOT NULL CHECK (bytes >= 0),
    rows_loaded     bigint NOT NULL DEFAULT 0 CHECK (rows_loaded >= 0),
    run_id          etl.run_id,
    loaded_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT loaded_files_pkey PRIMARY KEY (content_sha256, entity)
);

COMMENT ON TABLE etl.loaded_files IS
    'Normalized entity files already merged by mi-load, by content hash: a file whose hash is here is skipped (counted as skipped), so re-running a load changes nothing. Inserted in the same transaction as the merge.';
COMMENT ON COLUMN etl.loaded_files.content_sha256 IS 'SHA-256 of the file content as read by mi-load.';
COMMENT ON COLUMN etl.loaded_files.entity IS 'Entity of the file: properties, owners, sales, listings, reviews or pricing.';
COMMENT ON COLUMN etl.loaded_files.source IS 'Source id the file was produced from.';
COMMENT ON COLUMN etl.loaded_files.file_name IS 'File name (path relative to the run directory) when loaded.';
COMMENT ON COLUMN etl.loaded_files.bytes IS 'File size in bytes.';
COMMENT ON COLUMN etl.loaded_files.rows_loaded IS 'Records of the file merged (inserted, updated or unchanged).';
COMMENT ON COLUMN etl.loaded_files.run_id IS 'Run that loaded the file (etl.runs.run_id, not a foreign key).';
COMMENT ON COLUMN etl.loaded_files.loaded_at IS 'When the merge committed.';

CREATE TABLE etl.rejects (
    reject_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id        etl.run_id NOT NULL,
    stage         text NOT NULL CHECK (stage IN ('fetch', 'parse', 'score', 'load', 'compset', 'leads')),
    source        etl.source_id NOT NULL,
    entity        text,
    format        text,
    file          text,
    landing_hash  etl.sha256,
    line          bigint CHECK (line >= 1),
    byte_offset   bigint CHECK (byte_offset >= 0),
    src_path      text,
    field         text,
    reason_code   text CHECK (reason_code ~ '^[a-z][a-z0-9_]*$' AND octet_length(reason_code) <= 64),
    reason        text NOT NULL CHECK (reason <> ''),
    excerpt       text CHECK (octet_length(excerpt) <= 4096),
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX rejects_run_idx ON etl.rejects (run_id, stage, source);
CREATE INDEX rejects_reason_idx ON etl.rejects (source, reason_code, created_at DESC);

COMMENT ON TABLE etl.rejects IS
    'Records that could not be used, with why and exactly where: stage, source, file, line, byte offset (or tree path), field, reason and an excerpt of the raw bytes (the full body stays in the landing store under landing_hash).';
COMMENT ON COLUMN etl.rejects.reject_id IS 'Surrogate key.';
COMMENT ON COLUMN etl.rejects.run_id IS 'The run that rejected the record (etl.runs.run_id, not a foreign key).';
COMMENT ON COLUMN etl.rejects.stage IS 'Stage that rejected it: fetch, parse, score, load, compset or leads.';
COMMENT ON COLUMN etl.rejects.source IS 'Source id of the input.';
COMMENT ON COLUMN etl.rejects.entity IS 'Entity the record would have become (sales, listings, reviews, pricing ...).';
COMMENT ON COLUMN etl.rejects.format IS 'Input format (parser name, e.g. insideairbnb-listings, maui-rpt-sales) that read the record.';
COMMENT ON COLUMN etl.rejects.file IS 'Input file name or URL.';
COMMENT ON COLUMN etl.rejects.landing_hash IS 'SHA-256 of the landed body the record is in.';
COMMENT ON COLUMN etl.rejects.line IS 'Line number (1-based) of the record start in the input.';
COMMENT ON COLUMN etl.rejects.byte_offset IS 'Byte offset (0-based) of the record start in the decompressed input.';
COMMENT ON COLUMN etl.rejects.src_path IS 'XPath or JSON path of the record when the input is a tree.';
COMMENT ON COLUMN etl.rejects.field IS 'Field (column) at fault, when one is.';
COMMENT ON COLUMN etl.rejects.reason_code IS 'Machine code of the reason (e.g. bad_tmk, bad_price, ragged_row, bad_encoding, constraint).';
COMMENT ON COLUMN etl.rejects.reason IS 'Human message: what failed, with the value quoted.';
COMMENT ON COLUMN etl.rejects.excerpt IS 'The raw record or its first bytes (at most 4096 bytes, valid UTF-8 with invalid bytes escaped).';
COMMENT ON COLUMN etl.rejects.created_at IS 'When the reject was recorded.';

-- ---------------------------------------------------------------------------
-- Listings (the seventh market table; external is fixed at six)
-- ---------------------------------------------------------------------------
CREATE TABLE etl.listings (
    platform              etl.source_id NOT NULL,
    listing_id            etl.external_id NOT NULL,
    source                etl.source_id NOT NULL,
    url                   text,
    name                  text,
    host_id               etl.external_id,
    host_name             text,
    host_listings_count   integer CHECK (host_listings_count >= 0),
    manager_name          text,
    manager_key           text,
    is_self_managed       boolean,
    tmk                   external.tmk REFERENCES external.properties (tmk),
    tmk_match_method      text CHECK (tmk_match_method IN ('tmk_in_listing', 'tat_id', 'address', 'geo', 'manual')),
    tmk_match_confidence  etl.fraction,
    tmk_raw               text,
    tat_ids               external.tax_id[] NOT NULL DEFAULT '{}',
    str_permit_ids        text[] NOT NULL DEFAULT '{}',
    license_raw           text,
    address               text,
    address_key           text,
    unit                  text,
    city                  text,
    zip                   text,
    county                smallint CHECK (county BETWEEN 1 AND 4),
    latitude              numeric(9,6) CHECK (latitude BETWEEN -90 AND 90),
    longitude             numeric(10,6) CHECK (longitude BETWEEN -180 AND 180),
    property_type         text,
    room_type             text,
    bedrooms              smallint CHECK (bedrooms BETWEEN 0 AND 100),
    bathrooms             numeric(4,1) CHECK (bathrooms BETWEEN 0 AND 100),
    accommodates          smallint CHECK (accommodates BETWEEN 0 AND 500),
    nightly_price         etl.money,
    cleaning_fee          etl.money,
    currency              text NOT NULL DEFAULT 'USD' CHECK (octet_length(currency) = 3 AND currency !~ '[^A-Z]'),
    rating                numeric(5,2),
    rating_scale          numeric(5,2) CHECK (rating_scale > 0),
    review_count          integer CHECK (review_count >= 0),
    last_review_date      date,
    first_seen            date NOT NULL DEFAULT current_date,
    last_seen             date NOT NULL DEFAULT current_date,
    is_active             boolean NOT NULL DEFAULT true,
    disappeared_on        date,
    landing_hash          etl.sha256,
    extra                 jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(extra) = 'object'),
    first_run_id          etl.run_id,
    last_run_id           etl.run_id,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT listings_pkey PRIMARY KEY (platform, listing_id),
    CONSTRAINT listings_match_fields CHECK (
        (tmk IS NULL) = (tmk_match_method IS NULL) AND (tmk IS NULL) = (tmk_match_confidence IS NULL)),
    CONSTRAINT listings_seen_order CHECK (last_seen >= first_seen),
    CONSTRAINT listings_disappeared CHECK (is_active = (disappeared_on IS NULL)),
    CONSTRAINT listings_latlon_pair CHECK ((latitude IS NULL) = (longitude IS NULL)),
    CONSTRAINT listings_rating_range CHECK (
        rating IS NULL OR (rating_scale IS NOT NULL AND rating >= 0 AND rating <= rating_scale))
);

CREATE INDEX listings_tmk_idx ON etl.listings (tmk) WHERE tmk IS NOT NULL;
CREATE INDEX listings_unmatched_idx ON etl.listings (platform, listing_id) WHERE tmk IS NULL;
CREATE INDEX listings_tat_ids_idx ON etl.listings USING gin (tat_ids);
CREATE INDEX listings_address_key_idx ON etl.listings (address_key, unit) WHERE address_key IS NOT NULL;
CREATE INDEX listings_manager_key_idx ON etl.listings (manager_key) WHERE manager_key IS NOT NULL;
CREATE INDEX listings_host_idx ON etl.listings (platform, host_id) WHERE host_id IS NOT NULL;
CREATE INDEX listings_latlon_idx ON etl.listings (latitude, longitude) WHERE latitude IS NOT NULL;

CREATE TRIGGER listings_touch BEFORE UPDATE ON etl.listings
    FOR EACH ROW EXECUTE FUNCTION etl.touch_updated_at();

COMMENT ON TABLE etl.listings IS
    'Registry of rental listings (platform + listing id) from every listing source, matched or not to a parcel: the TMK match with its method and confidence, host and manager, license ids, place, size, latest price and rating, first/last seen. An unmatched listing is kept. Reviews (external.property_reviews) and calendars (external.property_pricing) reference listings by (platform, listing_id); this table carries their TMK. Lives in etl because the user''s document fixes external at six tables.';
COMMENT ON COLUMN etl.listings.platform IS 'Platform that owns the listing id (airbnb, vrbo, booking, or a PM site key); with listing_id the natural key.';
COMMENT ON COLUMN etl.listings.listing_id IS 'Listing id on the platform, as text (Airbnb ids reach 19 digits; PM sites use slugs).';
COMMENT ON COLUMN etl.listings.source IS 'Source id (config/ name) that last reported the listing.';
COMMENT ON COLUMN etl.listings.url IS 'Public URL of the listing.';
COMMENT ON COLUMN etl.listings.name IS 'Listing title as published.';
COMMENT ON COLUMN etl.listings.host_id IS 'Host account id on the platform.';
COMMENT ON COLUMN etl.listings.host_name IS 'Host display name on the platform.';
COMMENT ON COLUMN etl.listings.host_listings_count IS 'Listings of this host in the market snapshot (Inside Airbnb calculated_host_listings_count): the operator-size signal.';
COMMENT ON COLUMN etl.listings.manager_name IS 'Property manager name inferred for the listing (PM company or host).';
COMMENT ON COLUMN etl.listings.manager_key IS 'Normalized manager key (same rules as external.property_managers.manager_key).';
COMMENT ON COLUMN etl.listings.is_self_managed IS 'True when the listing looks owner- or individual-run rather than PM-company run.';
COMMENT ON COLUMN etl.listings.tmk IS 'Parcel the listing is matched to (NULL = unmatched, kept for later matching).';
COMMENT ON COLUMN etl.listings.tmk_match_method IS
    'How tmk was matched, strongest first: tmk_in_listing (license field, text, JSON-LD identifier), tat_id (TAT id already tied to a TMK), address (normalized address + unit), geo (nearest parcel with agreeing size), manual.';
COMMENT ON COLUMN etl.listings.tmk_match_confidence IS 'Confidence 0-1 of the match; set exactly when tmk is.';
COMMENT ON COLUMN etl.listings.tmk_raw IS 'TMK-looking text found in the listing, verbatim.';
COMMENT ON COLUMN etl.listings.tat_ids IS 'TAT and GET ids found in the listing, normalized.';
COMMENT ON COLUMN etl.listings.str_permit_ids IS 'County STR permit, registration or NUC numbers found in the listing.';
COMMENT ON COLUMN etl.listings.license_raw IS 'The platform license/registration field verbatim (may span lines).';
COMMENT ON COLUMN etl.listings.address IS 'Street address shown by the listing, if any.';
COMMENT ON COLUMN etl.listings.address_key IS 'Normalized address key for matching to external.properties.address_key.';
COMMENT ON COLUMN etl.listings.unit IS 'Unit designation from the listing.';
COMMENT ON COLUMN etl.listings.city IS 'City or place of the listing.';
COMMENT ON COLUMN etl.listings.zip IS 'ZIP code of the listing, if shown.';
COMMENT ON COLUMN etl.listings.county IS 'County digit (1-4) from the platform neighbourhood group or place, helps complete 12-digit TMKs.';
COMMENT ON COLUMN etl.listings.latitude IS 'WGS84 latitude as published (blurred by the platform up to about 150 m).';
COMMENT ON COLUMN etl.listings.longitude IS 'WGS84 longitude as published (blurred).';
COMMENT ON COLUMN etl.listings.property_type IS 'Platform property type text (e.g. Entire condo, Entire home).';
COMMENT ON COLUMN etl.listings.room_type IS 'Platform room type (Entire home/apt, Private room, Shared room, Hotel room).';
COMMENT ON COLUMN etl.listings.bedrooms IS 'Bedrooms advertised.';
COMMENT ON COLUMN etl.listings.bathrooms IS 'Bathrooms advertised (half baths as .5).';
COMMENT ON COLUMN etl.listings.accommodates IS 'Guests the listing accommodates.';
COMMENT ON COLUMN etl.listings.nightly_price IS 'Latest advertised nightly price in currency.';
COMMENT ON COLUMN etl.listings.cleaning_fee IS 'Advertised cleaning fee per stay, when shown.';
COMMENT ON COLUMN etl.listings.currency IS 'ISO 4217 currency of the prices.';
COMMENT ON COLUMN etl.listings.rating IS 'Overall rating on the platform scale.';
COMMENT ON COLUMN etl.listings.rating_scale IS 'Maximum of the rating scale (5 on Airbnb).';
COMMENT ON COLUMN etl.listings.review_count IS 'Number of reviews the platform shows.';
COMMENT ON COLUMN etl.listings.last_review_date IS 'Date of the latest review.';
COMMENT ON COLUMN etl.listings.first_seen IS 'First snapshot date the listing was seen.';
COMMENT ON COLUMN etl.listings.last_seen IS 'Last snapshot date the listing was seen.';
COMMENT ON COLUMN etl.listings.is_active IS 'False once the listing is missing from a complete snapshot of its source (listing_disappeared event).';
COMMENT ON COLUMN etl.listings.disappeared_on IS 'Snapshot date the listing was first missing; set exactly when inactive.';
COMMENT ON COLUMN etl.listings.landing_hash IS 'SHA-256 of the landed body of the latest observation.';
COMMENT ON COLUMN etl.listings.extra IS 'Source fields not modelled as columns (JSON object).';
COMMENT ON COLUMN etl.listings.first_run_id IS 'Run that first inserted the listing.';
COMMENT ON COLUMN etl.listings.last_run_id IS 'Last run that changed or confirmed the listing.';
COMMENT ON COLUMN etl.listings.created_at IS 'When the row was inserted.';
COMMENT ON COLUMN etl.listings.updated_at IS 'When the row was last updated (set by trigger).';

ALTER TABLE external.property_reviews
    ADD CONSTRAINT property_reviews_listing_fkey
    FOREIGN KEY (platform, listing_id) REFERENCES etl.listings (platform, listing_id);

-- ---------------------------------------------------------------------------
-- Change events
-- ---------------------------------------------------------------------------
CREATE TABLE etl.change_events (
    change_event_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_type        text NOT NULL CHECK (event_type IN ('sale_recorded', 'owner_changed', 'manager_changed',
                                                          'listing_appeared', 'listing_disappeared',
                                                          'price_changed', 'permit_changed')),
    event_key         text NOT NULL CHECK (event_key <> ''),
    tmk               external.tmk REFERENCES external.properties (tmk),
    platform          etl.source_id,
    listing_id        etl.external_id,
    occurred_on       date NOT NULL,
    old_value         jsonb CHECK (jsonb_typeof(old_value) = 'object'),
    new_value         jsonb CHECK (jsonb_typeof(new_value) = 'object'),
    change_pct        numeric(9,2),
    run_id            etl.run_id,
    detected_at       timestamptz NOT NULL DEFAULT now(),
    processed_at      timestamptz,
    processed_run_id  etl.run_id,
    CONSTRAINT change_events_key UNIQUE (event_type, event_key),
    CONSTRAINT change_events_listing_pair CHECK ((platform IS NULL) = (listing_id IS NULL)),
    CONSTRAINT change_events_subject CHECK (tmk IS NOT NULL OR listing_id IS NOT NULL)
);

CREATE INDEX change_events_pending_idx ON etl.change_events (detected_at) WHERE processed_at IS NULL;
CREATE INDEX change_events_tmk_idx ON etl.change_events (tmk, occurred_on DESC) WHERE tmk IS NOT NULL;

COMMENT ON TABLE etl.change_events IS
    'What changed in the market, as detected by mi-load while merging: a sale recorded, an owner or manager changed, a listing appeared or disappeared, a price changed. Unique (event_type, event_key) so a re-run records nothing twice; mi-leads turns unprocessed events into signals and sets processed_at.';
COMMENT ON COLUMN etl.change_events.change_event_id IS 'Surrogate key.';
COMMENT ON COLUMN etl.change_events.event_type IS 'sale_recorded, owner_changed, manager_changed, listing_appeared, listing_disappeared, price_changed or permit_changed.';
COMMENT ON COLUMN etl.change_events.event_key IS
    'Deterministic key of the event within its type, e.g. the sale_key, <tmk>:<valid_from> of the new manager row, <platform>:<listing_id>:<snapshot date>.';
COMMENT ON COLUMN etl.change_events.tmk IS 'Property concerned, when known.';
COMMENT ON COLUMN etl.change_events.platform IS 'Platform of the listing concerned (listing events).';
COMMENT ON COLUMN etl.change_events.listing_id IS 'Listing concerned (listing and price events).';
COMMENT ON COLUMN etl.change_events.occurred_on IS 'Date the change happened in the data (recording date, snapshot date).';
COMMENT ON COLUMN etl.change_events.old_value IS 'State before the change (JSON object), NULL for appearances.';
COMMENT ON COLUMN etl.change_events.new_value IS 'State after the change (JSON object), NULL for disappearances.';
COMMENT ON COLUMN etl.change_events.change_pct IS 'Relative size of a price change in percent ((new - old) / old x 100).';
COMMENT ON COLUMN etl.change_events.run_id IS 'Run that detected the event (etl.runs.run_id, not a foreign key).';
COMMENT ON COLUMN etl.change_events.detected_at IS 'When the event was recorded.';
COMMENT ON COLUMN etl.change_events.processed_at IS 'When mi-leads consumed it; NULL = pending.';
COMMENT ON COLUMN etl.change_events.processed_run_id IS 'Run whose mi-leads stage consumed it.';

ALTER TABLE homeowner_acquisition.lead_activities
    ADD CONSTRAINT lead_activities_change_event_fkey
    FOREIGN KEY (change_event_id) REFERENCES etl.change_events (change_event_id);
