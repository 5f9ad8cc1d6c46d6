-- Foundation: tenants, users, templates and scenarios with versions, supporting entities,
-- media (recordings and greetings), attempts and their call events. Every row is keyed by tenant.

CREATE TABLE tenants (
  id uuid PRIMARY KEY,
  -- 'console' (the standalone console's own tenant), 'bitrix24' (a portal), 'amocrm' (an account)
  kind text NOT NULL CHECK (kind IN ('console', 'bitrix24', 'amocrm')),
  -- Bitrix24 member_id, amoCRM account id, or 'console'
  external_id text NOT NULL,
  name text NOT NULL,
  locale text NOT NULL DEFAULT 'en' CHECK (locale IN ('ru', 'en')),
  timezone text NOT NULL DEFAULT 'Europe/Moscow',
  settings jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'active',
  status_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kind, external_id)
);

CREATE TABLE users (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  email text NOT NULL,
  name text NOT NULL,
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'manager')),
  locale text NOT NULL DEFAULT 'en' CHECK (locale IN ('ru', 'en')),
  disabled boolean NOT NULL DEFAULT false,
  -- bumped on password change / disable: sessions issued before are refused
  session_version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz
);
CREATE UNIQUE INDEX users_email_uq ON users (lower(email));
CREATE INDEX users_tenant_idx ON users (tenant_id);

CREATE TABLE scenarios (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL,
  current_version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
CREATE INDEX scenarios_tenant_idx ON scenarios (tenant_id) WHERE deleted_at IS NULL;

CREATE TABLE scenario_versions (
  id uuid PRIMARY KEY,
  scenario_id uuid NOT NULL REFERENCES scenarios (id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  version integer NOT NULL,
  graph jsonb NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (scenario_id, version)
);

CREATE TABLE redial_rule_sets (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL,
  rules jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX redial_rule_sets_name_uq ON redial_rule_sets (tenant_id, lower(name));

CREATE TABLE caller_id_groups (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL,
  numbers jsonb NOT NULL,
  strategy text NOT NULL DEFAULT 'round_robin',
  -- position of the round robin, advanced atomically per call
  cursor bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX caller_id_groups_name_uq ON caller_id_groups (tenant_id, lower(name));

CREATE TABLE dial_plans (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL,
  trunk text NOT NULL,
  rules jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX dial_plans_name_uq ON dial_plans (tenant_id, lower(name));

CREATE TABLE transfer_directions (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL,
  numbers jsonb NOT NULL,
  strategy text NOT NULL DEFAULT 'sequential',
  ring_timeout_sec integer NOT NULL DEFAULT 30,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX transfer_directions_name_uq ON transfer_directions (tenant_id, lower(name));

-- Audio files: call recordings and uploaded AMD greetings. The bytes live in the recording storage.
CREATE TABLE media (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('recording', 'greeting')),
  name text NOT NULL,
  storage_key text NOT NULL,
  content_type text NOT NULL,
  size_bytes bigint NOT NULL,
  duration_ms integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX media_tenant_idx ON media (tenant_id, kind);

CREATE TABLE templates (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL,
  current_version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
CREATE INDEX templates_tenant_idx ON templates (tenant_id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX templates_name_uq ON templates (tenant_id, lower(name)) WHERE deleted_at IS NULL;

CREATE TABLE template_versions (
  id uuid PRIMARY KEY,
  template_id uuid NOT NULL REFERENCES templates (id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  version integer NOT NULL,
  settings jsonb NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (template_id, version)
);

-- One call placed (or tried) to one number. Test calls have no campaign.
CREATE TABLE attempts (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('test', 'campaign')),
  campaign_id uuid,
  number_id uuid,
  -- 1 for the first call to this number in its campaign, 2 for the first redial, …
  attempt_no integer NOT NULL DEFAULT 1,
  phone text NOT NULL,
  template_id uuid NOT NULL REFERENCES templates (id),
  template_version_id uuid NOT NULL REFERENCES template_versions (id),
  scenario_version_id uuid NOT NULL REFERENCES scenario_versions (id),
  variables jsonb NOT NULL DEFAULT '{}',
  -- queued → dialing → ringing → answered → completed
  status text NOT NULL DEFAULT 'queued',
  outcome text,
  amd_verdict text,
  gender text,
  result text,
  tags jsonb NOT NULL DEFAULT '[]',
  answers jsonb NOT NULL DEFAULT '{}',
  steps jsonb NOT NULL DEFAULT '[]',
  transfer jsonb,
  caller_id text,
  platform text NOT NULL,
  provider_call_id text,
  sip_code integer,
  error text,
  ineffective boolean,
  recording_id uuid REFERENCES media (id),
  -- where the platform offers the recording until we have our own copy (fetched with retries)
  recording_source text,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  dialed_at timestamptz,
  answered_at timestamptz,
  ended_at timestamptz,
  -- simulated or real seconds as reported by the platform
  duration_sec numeric(10, 2),
  talk_sec numeric(10, 2)
);
CREATE INDEX attempts_tenant_created_idx ON attempts (tenant_id, created_at DESC);
CREATE UNIQUE INDEX attempts_provider_call_uq ON attempts (platform, provider_call_id) WHERE provider_call_id IS NOT NULL;
-- Attempts that have not finished: what a restart looks at.
CREATE INDEX attempts_open_idx ON attempts (status) WHERE status <> 'completed';
-- Recordings still to download from the platform.
CREATE INDEX attempts_recording_pending_idx ON attempts (ended_at) WHERE recording_source IS NOT NULL AND recording_id IS NULL;

-- Every event a voice platform reported, once: (attempt, seq) makes callbacks idempotent.
CREATE TABLE call_events (
  attempt_id uuid NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
  seq integer NOT NULL,
  type text NOT NULL,
  payload jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (attempt_id, seq)
);
