-- A job that waits for something to happen elsewhere (a call's recording and its MP3 copy, which
-- a CRM write-back links) names it here, and whoever makes it happen wakes the job at once
-- (`signalOutbox`) instead of the job looking again every second or two. Its retry time stays as
-- the fallback for a wake-up that never came.
ALTER TABLE outbox ADD COLUMN waits_for text;
CREATE INDEX outbox_waits_for_idx ON outbox (waits_for) WHERE waits_for IS NOT NULL AND status = 'pending';
