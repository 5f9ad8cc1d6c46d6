-- amoCRM / Kommo accounts (C4–C7). An account is a tenant of kind 'amocrm' (tenants.external_id =
-- '<platform>:<account id>': amoCRM and Kommo are separate platforms whose ids may collide); this
-- file adds what only amoCRM needs: encrypted tokens with a version for compare-and-swap refreshes
-- (refresh tokens are single-use), request pacing shared by every process, install codes received
-- but not yet exchanged, one-time widget token ids, Digital Pipeline events, intakes and the
-- long-lived campaigns pipeline stages feed.

CREATE TABLE amo_accounts (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  -- 'amocrm' (amocrm.ru) or 'kommo' (kommo.com, amocrm.com)
  platform text NOT NULL CHECK (platform IN ('amocrm', 'kommo')),
  account_id bigint NOT NULL,
  -- the integration (its client id) the tokens were issued to
  client_id text NOT NULL,
  -- acme.amocrm.ru; followed when the account is renamed (the widget token's iss says so)
  host text NOT NULL,
  base_url text NOT NULL,
  subdomain text NOT NULL,
  name text NOT NULL,
  -- AES-256-GCM sealed; NULL once erased by an uninstall
  access_token_enc text,
  refresh_token_enc text,
  access_expires_at timestamptz,
  -- when the refresh token was issued: unused for 3 months it dies, so idle accounts are refreshed
  refreshed_at timestamptz,
  -- the user who authorised the integration
  token_user_id bigint,
  token_version integer NOT NULL DEFAULT 1,
  refresh_lease_by text,
  refresh_lease_until timestamptz,
  -- the per-account key Digital Pipeline triggers carry (sealed), compared in constant time
  dp_key_enc text NOT NULL,
  -- admin-chosen write-back fields, e-mails for alerts, campaign pace (src/crm/amocrm/accountSettings.ts)
  settings jsonb NOT NULL DEFAULT '{}',
  installed_at timestamptz,
  uninstalled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (platform, account_id)
);

-- GCRA "theoretical arrival time" of the next request to the account (7 req/s, shared by every
-- process), and a block after a 403 (a ban: nothing is sent until it is probed again).
CREATE TABLE amo_pacing (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  tat timestamptz NOT NULL DEFAULT '1970-01-01T00:00:00Z',
  blocked_until timestamptz,
  blocked_reason text
);

-- An install redirect's code, stored at once (amoCRM allows 3 s and never resends) and exchanged
-- outside the request; retried while the code lives (20 minutes).
CREATE TABLE amo_install_codes (
  id uuid PRIMARY KEY,
  client_id text NOT NULL,
  host text NOT NULL,
  code_enc text NOT NULL,
  state text,
  -- pending → done | failed
  status text NOT NULL DEFAULT 'pending',
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  locked_until timestamptz,
  error text,
  tenant_id uuid REFERENCES tenants (id) ON DELETE SET NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX amo_install_codes_pending_idx ON amo_install_codes (next_attempt_at) WHERE status = 'pending';

-- One-time widget tokens already used (`jti`), kept until they expire: a replay is refused.
CREATE TABLE amo_widget_tokens (
  jti text PRIMARY KEY,
  tenant_id uuid REFERENCES tenants (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL
);
CREATE INDEX amo_widget_tokens_expiry_idx ON amo_widget_tokens (expires_at);

-- Digital Pipeline events received once: (lead, stage, event time) — amoCRM never resends, but a
-- proxy or a double-configured trigger might.
CREATE TABLE amo_dp_events (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  event_key text NOT NULL,
  lead_id bigint NOT NULL,
  template_id uuid NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  -- set in the transaction that added the lead to a campaign (or found it has no phone): a retry adds nothing
  processed_at timestamptz,
  contact_id uuid,
  PRIMARY KEY (tenant_id, event_key)
);

-- Progress of a selection / filter intake: where it stands, committed with the contacts it added.
CREATE TABLE amo_intakes (
  campaign_id uuid PRIMARY KEY REFERENCES campaigns (id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  -- 'ids' (a selection) or 'filter'
  kind text NOT NULL,
  spec jsonb NOT NULL,
  -- ids: how many of the sorted ids are taken; filter: the next page and the last lead id taken
  position jsonb NOT NULL DEFAULT '{}',
  fetched integer NOT NULL DEFAULT 0,
  added integer NOT NULL DEFAULT 0,
  skipped integer NOT NULL DEFAULT 0,
  status text NOT NULL DEFAULT 'running',
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);

-- The long-lived campaign a template's Digital Pipeline trigger feeds (pacing, windows and redials
-- apply across every lead that enters the stage); `variant` separates different call limits.
CREATE TABLE amo_pipeline_campaigns (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  template_id uuid NOT NULL,
  variant text NOT NULL,
  campaign_id uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  PRIMARY KEY (tenant_id, template_id, variant)
);
