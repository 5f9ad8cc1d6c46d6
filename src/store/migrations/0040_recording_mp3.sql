-- MP3 copies of call recordings for the CRMs' players (amoCRM's feed plays only audio/mpeg): a
-- derived media row per original (`derived_from` + `variant`), made off the hot path after the
-- original is stored and retried by the recording sweeper. The original is kept as it came.
ALTER TABLE media ADD COLUMN derived_from uuid REFERENCES media (id) ON DELETE CASCADE;
ALTER TABLE media ADD COLUMN variant text;
CREATE UNIQUE INDEX media_variant_uq ON media (derived_from, variant) WHERE derived_from IS NOT NULL;

-- The attempt's MP3 (what CRM links point at), or why it cannot be made (an original no decoder
-- reads): the CRM then links the original.
ALTER TABLE attempts ADD COLUMN recording_mp3_id uuid REFERENCES media (id) ON DELETE SET NULL;
ALTER TABLE attempts ADD COLUMN recording_mp3_error text;
-- Recordings still waiting for their MP3: what the sweeper looks at.
CREATE INDEX attempts_mp3_pending_idx ON attempts (ended_at) WHERE recording_id IS NOT NULL AND recording_mp3_id IS NULL AND recording_mp3_error IS NULL;
