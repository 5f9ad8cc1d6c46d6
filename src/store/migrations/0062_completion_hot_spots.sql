-- Two hot spots of a call's completion, found with pg_stat_statements in a 50-calls-a-second run
-- on PostgreSQL (bench `pacing`).
--
-- 1. Every completed call adds to its tenant's usage of the month. With one row per tenant and
--    month (per currency for costs), each completion waited on that row's lock until the one
--    before it committed: 76 ms on average per call, completions in single file. The sums are now
--    spread over 16 rows each completion picks at random, and added up when read.
ALTER TABLE tenant_usage ADD COLUMN shard smallint NOT NULL DEFAULT 0;
ALTER TABLE tenant_usage DROP CONSTRAINT tenant_usage_pkey;
ALTER TABLE tenant_usage ADD PRIMARY KEY (tenant_id, month, shard);

ALTER TABLE tenant_costs ADD COLUMN shard smallint NOT NULL DEFAULT 0;
ALTER TABLE tenant_costs DROP CONSTRAINT tenant_costs_pkey;
ALTER TABLE tenant_costs ADD PRIMARY KEY (tenant_id, month, currency, shard);

-- 2. Two statements of every completion read attempts by columns without an index, a scan of the
--    whole table each time (1–2 ms at 1,200 attempts; seconds at millions): the client's finished
--    attempts (contact_id; also the CRM's call history) and the attempts a recording's MP3 copy is
--    linked to (recording_id).
CREATE INDEX attempts_contact_idx ON attempts (contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX attempts_recording_idx ON attempts (recording_id) WHERE recording_id IS NOT NULL;
