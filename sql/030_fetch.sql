-- 030_fetch.sql: what mi-fetch needs on top of the fetch queue of 004_etl.sql.
--
-- Pagination is followed through the queue: a worker that lands page N of a
-- source queues page N+1 in the same transaction that marks page N done, so
-- the page number travels with the item and the source's hard page limit
-- holds whichever worker fetches which page.

ALTER TABLE etl.fetch_queue
    ADD COLUMN page integer NOT NULL DEFAULT 1 CHECK (page >= 0);

COMMENT ON COLUMN etl.fetch_queue.page IS
    'Page number of the item within its source''s pagination (the first page is the source''s [paginate] start, 1 by default); the next page is queued with page + 1 until the source''s max_pages.';

CREATE INDEX fetch_queue_run_source_idx ON etl.fetch_queue (run_id, source, state);
COMMENT ON INDEX etl.fetch_queue_run_source_idx IS
    'Claims and progress counts of one run, limited to the sources a worker was given (mi-fetch --source).';
