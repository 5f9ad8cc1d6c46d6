-- Campaigns: who is called, when and how often. Numbers are the hot table: the dispatcher claims
-- due rows with FOR UPDATE SKIP LOCKED through a partial index that holds open numbers only.

CREATE TABLE campaigns (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL,
  template_id uuid NOT NULL REFERENCES templates (id),
  -- scheduled → running ⇄ paused → completed
  status text NOT NULL CHECK (status IN ('scheduled', 'running', 'paused', 'completed')),
  -- why it is paused or completed: manual, technical_error, limits_exhausted, channel_deleted, …
  status_reason text,
  status_detail text,
  settings jsonb NOT NULL,
  -- where the campaign came from: console, api, a Bitrix24 robot / selection, an amoCRM action
  source jsonb NOT NULL DEFAULT '{"kind":"console"}',
  start_at timestamptz,
  -- bumped on every change of conditions (optimistic lock for edits)
  version integer NOT NULL DEFAULT 1,
  -- technical errors in a row across the campaign's calls (auto-pause threshold)
  tech_errors_in_row integer NOT NULL DEFAULT 0,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  completed_at timestamptz,
  deleted_at timestamptz
);
CREATE INDEX campaigns_tenant_idx ON campaigns (tenant_id, created_at DESC) WHERE deleted_at IS NULL;
CREATE INDEX campaigns_active_idx ON campaigns (status) WHERE status IN ('scheduled', 'running') AND deleted_at IS NULL;

-- Pacing state shared by every worker process: GCRA "theoretical arrival time" of the next call
-- start. The row is locked for the few milliseconds of a claim, which also serialises the
-- concurrency check of one campaign across processes.
CREATE TABLE campaign_pacing (
  campaign_id uuid PRIMARY KEY REFERENCES campaigns (id) ON DELETE CASCADE,
  tat timestamptz NOT NULL DEFAULT '1970-01-01T00:00:00Z'
);

-- A client of the list: one person with one or more phones and the scenario variables.
CREATE TABLE campaign_contacts (
  id uuid PRIMARY KEY,
  campaign_id uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  external_id text,
  variables jsonb NOT NULL DEFAULT '{}',
  -- open → reached | unreached | cancelled
  status text NOT NULL DEFAULT 'open',
  -- the CRM record behind the contact (portal / account, entity, robot event token, …)
  crm jsonb,
  result text,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX campaign_contacts_campaign_idx ON campaign_contacts (campaign_id, created_at);
CREATE INDEX campaign_contacts_external_idx ON campaign_contacts (campaign_id, external_id) WHERE external_id IS NOT NULL;

CREATE TABLE campaign_numbers (
  id uuid PRIMARY KEY,
  campaign_id uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  contact_id uuid NOT NULL REFERENCES campaign_contacts (id) ON DELETE CASCADE,
  phone text NOT NULL,
  -- order of the phone among its contact's phones
  position integer NOT NULL DEFAULT 0,
  -- new → dialing → answered | not_answered | callback | failed | done, and cancelled
  status text NOT NULL DEFAULT 'new',
  -- candidate IANA zones of the callee ('' = unknown → the campaign's zone)
  zone_key text NOT NULL DEFAULT '',
  attempts_made integer NOT NULL DEFAULT 0,
  answered_calls integer NOT NULL DEFAULT 0,
  redial_counts jsonb NOT NULL DEFAULT '{}',
  tech_errors integer NOT NULL DEFAULT 0,
  -- earliest moment the rules allow the next call (redial delay, pause, backoff)
  ready_at timestamptz NOT NULL,
  -- the first moment inside the calling window at or after ready_at, and when that window closes
  next_attempt_at timestamptz NOT NULL,
  due_until timestamptz,
  locked_by text,
  locked_until timestamptz,
  current_attempt_id uuid,
  last_attempt_id uuid,
  -- cancelled (by the API, a sibling's success, the campaign's end) while a call was in progress
  cancel_requested boolean NOT NULL DEFAULT false,
  last_outcome text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (campaign_id, phone)
);
-- The claim: open numbers of a campaign, soonest-closing window first.
CREATE INDEX campaign_numbers_due_idx ON campaign_numbers (campaign_id, due_until, next_attempt_at) WHERE status IN ('new', 'callback');
-- Leases to recover after a crash, and the concurrency count.
CREATE INDEX campaign_numbers_dialing_idx ON campaign_numbers (campaign_id, locked_until) WHERE status = 'dialing';
CREATE INDEX campaign_numbers_contact_idx ON campaign_numbers (contact_id);
CREATE INDEX campaign_numbers_status_idx ON campaign_numbers (campaign_id, status);

ALTER TABLE attempts ADD COLUMN contact_id uuid;
-- whether the attempt counted against the number's attempts (a call was really placed, or the
-- ninth technical error in a row)
ALTER TABLE attempts ADD COLUMN consumed boolean NOT NULL DEFAULT true;
-- the call was actually handed to the platform
ALTER TABLE attempts ADD COLUMN placed boolean NOT NULL DEFAULT false;
ALTER TABLE attempts ADD COLUMN technical boolean NOT NULL DEFAULT false;
CREATE INDEX attempts_campaign_idx ON attempts (campaign_id, created_at) WHERE campaign_id IS NOT NULL;
CREATE INDEX attempts_number_idx ON attempts (number_id) WHERE number_id IS NOT NULL;

-- Durable, idempotent writes to the outside world (CRMs, webhooks, e-mail), retried with backoff.
CREATE TABLE outbox (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  channel text NOT NULL,
  kind text NOT NULL,
  -- a retry or a repeated enqueue never writes twice
  idempotency_key text NOT NULL UNIQUE,
  -- jobs with the same key run one at a time, in order (e.g. everything for one CRM deal)
  partition_key text,
  payload jsonb NOT NULL,
  -- checkpoints of a multi-step write (e.g. the CALL_ID a register step got back)
  state jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  -- give up (status dead) when still failing after this
  expires_at timestamptz,
  locked_by text,
  locked_until timestamptz,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  done_at timestamptz
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_partition_idx ON outbox (partition_key, created_at) WHERE status = 'pending' AND partition_key IS NOT NULL;
CREATE INDEX outbox_tenant_idx ON outbox (tenant_id, created_at DESC);

-- Calls API keys: only a hash is stored; the key is shown once.
CREATE TABLE api_keys (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL,
  prefix text NOT NULL UNIQUE,
  secret_hash text NOT NULL,
  role text NOT NULL DEFAULT 'manager' CHECK (role IN ('admin', 'manager')),
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

-- Billable seconds per tenant and month (the minute budget of J6).
CREATE TABLE tenant_usage (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  month text NOT NULL,
  seconds_used numeric(14, 2) NOT NULL DEFAULT 0,
  calls_placed integer NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, month)
);

-- A redial the scenario itself asked for ("call me back in two hours").
ALTER TABLE attempts ADD COLUMN scenario_redial_minutes integer;
