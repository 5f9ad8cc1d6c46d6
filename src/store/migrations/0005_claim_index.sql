-- The claim orders by (due_until, next_attempt_at, id): with id in the index, the ORDER BY … LIMIT
-- is an index scan that stops after a few rows. Without it PostgreSQL sorted every due row of the
-- campaign (bench, 200,000 due numbers: 180 ms per claim with a sort, under 1 ms with this index).
DROP INDEX campaign_numbers_due_idx;
CREATE INDEX campaign_numbers_due_idx ON campaign_numbers (campaign_id, due_until, next_attempt_at, id) WHERE status IN ('new', 'callback');
