-- Indexes for 100,000 incidents (issue 15): every read a page, feed or API answer makes is an
-- index search or a bounded walk of an index in order, never a scan of a whole table.

-- Incident lists, newest first (started_at DESC, created_at DESC, id): walked backwards, these
-- give that order without sorting, with or without a kind, and serve date windows as ranges.
CREATE INDEX incidents_order ON incidents (started_at, created_at, id DESC);
CREATE INDEX incidents_kind_order ON incidents (kind, started_at, created_at, id DESC);
DROP INDEX incidents_started;
-- By status in the same order: one status is a walk in order; open ones are few.
CREATE INDEX incidents_status_order ON incidents (status, started_at, created_at, id DESC);
DROP INDEX incidents_status;

-- The uptime bars read the status changes of a window of days, for every component at once.
CREATE INDEX component_status_history_at ON component_status_history (at);

-- The console's audit log, newest first, whole or by actor.
CREATE INDEX audit_log_at_id ON audit_log (at, id);
CREATE INDEX audit_log_actor ON audit_log (actor, at, id);
DROP INDEX audit_log_at;

-- Which write was committed last, whichever instance made it: the write transaction sets it, so
-- the caches' 4-per-second poll reads one row instead of ordering the audit log.
CREATE TABLE change_marker (
    singleton BIGINT PRIMARY KEY CHECK (singleton = 1),
    audit_id TEXT
);
INSERT INTO change_marker (singleton, audit_id)
    SELECT 1, (SELECT id FROM audit_log ORDER BY at DESC, id DESC LIMIT 1);
