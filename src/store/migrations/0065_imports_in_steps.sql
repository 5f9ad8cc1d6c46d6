-- A clients file is stored in many short transactions instead of one: on PGlite one transaction
-- holds the only database session, and a 100,000-row import kept every other statement (the API,
-- the platforms' callbacks, the dispatcher) waiting for 8–11 s. While an import runs its row here
-- keeps the campaign from being dialled, so rows already stored wait for the rest; a file refused
-- half-way, or an import whose process died (its heartbeat stops), has its contacts removed
-- (their numbers with them) by `import_id`.
CREATE TABLE campaign_imports (
  id uuid PRIMARY KEY,
  campaign_id uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  started_at timestamptz NOT NULL,
  heartbeat_at timestamptz NOT NULL
);
-- One import at a time per campaign.
CREATE UNIQUE INDEX campaign_imports_campaign_key ON campaign_imports (campaign_id);

-- No index: it is read only to remove what a failed import left, a rare path that may scan the
-- campaign's contacts; every imported row would otherwise pay for one more index entry.
ALTER TABLE campaign_contacts ADD COLUMN import_id uuid;
