-- Real voice platforms behind one port (issue 12).

-- The dialogue of an answered call: every input the platform reported so far (the answer, what
-- the callee said, how a transfer ended), in order. Each interpreter step replays the scenario over
-- these inputs (src/engine/dialogue), so any process can take the next step and a crash loses
-- nothing. `pins` fixes what a replay must see the same every time: the redirect resolved at answer
-- and the versions of scenarios switched to during the call.
CREATE TABLE call_dialogues (
  attempt_id uuid PRIMARY KEY REFERENCES attempts (id) ON DELETE CASCADE,
  inputs jsonb NOT NULL DEFAULT '[]',
  pins jsonb NOT NULL DEFAULT '{}',
  answered_at timestamptz NOT NULL,
  -- the conversation (result, answers, steps) has been saved for good
  finished boolean NOT NULL DEFAULT false
);

-- What the platform needs to reach a live call again (Voximplant's control URL, a session id).
ALTER TABLE attempts ADD COLUMN platform_data jsonb;
-- What the call cost, as the platform reported it or as minutes × the configured rate.
ALTER TABLE attempts ADD COLUMN cost numeric(12, 4);
ALTER TABLE attempts ADD COLUMN cost_currency text;

-- Recordings are stored as the platform made them (stereo WAV, FLAC, MP3): how many channels, and
-- which one carries the callee (gender is estimated from it).
ALTER TABLE media ADD COLUMN channels smallint;
ALTER TABLE media ADD COLUMN callee_channel smallint;

-- Money spent per tenant, month and currency (the J6 budget may cap it besides the minutes).
CREATE TABLE tenant_costs (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  month text NOT NULL,
  currency text NOT NULL,
  amount numeric(14, 4) NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, month, currency)
);
