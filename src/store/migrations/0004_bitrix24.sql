-- Bitrix24 portals (C1, C2, C5–C7). A portal is a tenant of kind 'bitrix24' (tenants.external_id =
-- member_id); this file adds what only Bitrix24 needs: encrypted tokens with a version for
-- compare-and-swap refreshes, the per-portal request pacing row, robot registrations, robot runs
-- and the progress of bulk intakes.

CREATE TABLE b24_portals (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  -- stable portal id (survives a domain change)
  member_id text NOT NULL UNIQUE,
  domain text NOT NULL,
  -- https://<portal>/rest/ and https://oauth.bitrix.info/rest/ as Bitrix24 reported them
  client_endpoint text NOT NULL,
  server_endpoint text NOT NULL,
  -- AES-256-GCM sealed (src/core/crypto.ts encryptSecret); NULL once erased by an uninstall
  application_token_enc text,
  access_token_enc text,
  refresh_token_enc text,
  access_expires_at timestamptz,
  -- the user the stored tokens belong to (the installing administrator)
  token_user_id integer,
  scope text NOT NULL DEFAULT '',
  -- bumped by every token change: a refresher only swaps in new tokens if the version it saw is
  -- still current, and a caller whose access token failed skips the refresh when it moved on
  token_version integer NOT NULL DEFAULT 1,
  -- one process refreshes at a time: a short lease instead of a transaction held over HTTP
  refresh_lease_by text,
  refresh_lease_until timestamptz,
  -- the documented leaky bucket of the portal's plan (2/s burst 50; Enterprise 5/s burst 250)
  rate_per_sec numeric(8, 3) NOT NULL DEFAULT 2,
  burst integer NOT NULL DEFAULT 50,
  -- ids of the user fields created at install, and of their enumeration items
  user_fields jsonb NOT NULL DEFAULT '{}',
  -- the app finished installing (installFinish / ONAPPINSTALL) / was uninstalled
  installed_at timestamptz,
  uninstalled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- GCRA "theoretical arrival time" of the next REST request to the portal, shared by every Dozvon
-- process (src/crm/bitrix24/store/pacing.ts). Kept apart from b24_portals: it is updated on every
-- request.
CREATE TABLE b24_portal_pacing (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  tat timestamptz NOT NULL DEFAULT '1970-01-01T00:00:00Z'
);

-- One robot per call-task template, as registered on the portal.
CREATE TABLE b24_robots (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  code text NOT NULL,
  template_id uuid NOT NULL,
  -- the name last sent to the portal
  name text NOT NULL,
  registered_at timestamptz,
  deleted_at timestamptz,
  PRIMARY KEY (tenant_id, code)
);
CREATE INDEX b24_robots_template_idx ON b24_robots (tenant_id, template_id);

-- The long-lived campaign robot runs of a template add their contacts to (pacing, windows and
-- redials apply across runs). `variant` separates runs with different call limits.
CREATE TABLE b24_robot_campaigns (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  template_id uuid NOT NULL,
  variant text NOT NULL,
  campaign_id uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  PRIMARY KEY (tenant_id, template_id, variant)
);

-- Every robot call received: the workflow's event token (sealed) for the return values, the
-- document it was for, and the campaign contact it became. Unique per event token, so a repeated
-- delivery of the same robot call is queued once.
CREATE TABLE b24_robot_runs (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  event_token_hash text NOT NULL,
  event_token_enc text NOT NULL,
  workflow_id text NOT NULL,
  code text NOT NULL,
  template_id uuid NOT NULL,
  -- DEAL_123, LEAD_5, CONTACT_7
  document text NOT NULL,
  properties jsonb NOT NULL DEFAULT '{}',
  -- queued → calling → returned | failed
  status text NOT NULL DEFAULT 'queued',
  campaign_id uuid,
  contact_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  returned_at timestamptz,
  UNIQUE (tenant_id, event_token_hash)
);
CREATE INDEX b24_robot_runs_contact_idx ON b24_robot_runs (contact_id) WHERE contact_id IS NOT NULL;

-- Progress of a selection / filter intake (C5): the last CRM id taken, committed together with
-- the contacts it added, so a crash resumes after the last committed page and never adds twice.
CREATE TABLE b24_intakes (
  campaign_id uuid PRIMARY KEY REFERENCES campaigns (id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  -- 'ids' (a selection) or 'filter'
  kind text NOT NULL,
  entity text NOT NULL,
  spec jsonb NOT NULL,
  last_id bigint NOT NULL DEFAULT 0,
  fetched integer NOT NULL DEFAULT 0,
  added integer NOT NULL DEFAULT 0,
  skipped integer NOT NULL DEFAULT 0,
  -- running → done | failed
  status text NOT NULL DEFAULT 'running',
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);

-- A deal's or lead's call history (the deal tab) looks contacts up by their CRM document id.
CREATE INDEX campaign_contacts_tenant_external_idx ON campaign_contacts (tenant_id, external_id) WHERE external_id IS NOT NULL;
