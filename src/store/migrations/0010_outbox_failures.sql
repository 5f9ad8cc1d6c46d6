-- Failures in a row of an outbox job, apart from `attempts` (every claim): retries back off by
-- failures, so a job that waited for a recording ten times, or whose process was killed while it
-- held the job, does not wait an hour after its first real error. Planned waits do not count.
ALTER TABLE outbox ADD COLUMN failures integer NOT NULL DEFAULT 0;
