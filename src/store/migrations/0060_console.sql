-- The web console: CRM users as shadow accounts, and live updates for the console (SSE).

-- A Bitrix24 portal user or an amoCRM user opening the console inside their CRM gets a console
-- account in the CRM's tenant, created / updated on every entry: no password (the CRM signed them
-- in), no e-mail of ours, identified by the CRM's own user id ('bitrix24:17', 'amocrm:4242').
ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;
ALTER TABLE users ADD COLUMN external_id text;
CREATE UNIQUE INDEX users_external_uq ON users (tenant_id, external_id) WHERE external_id IS NOT NULL;
ALTER TABLE users ADD CONSTRAINT users_sign_in_ck CHECK (external_id IS NOT NULL OR (email IS NOT NULL AND password_hash IS NOT NULL));

-- Live updates: every change the console shows live is announced on the channel "dozvon_console"
-- when its transaction commits, to every Dozvon process (LISTEN), whichever process made it.
-- Payloads stay small (ids and states); the console reads the details through the API. Identical
-- notifications of one transaction are delivered once by PostgreSQL, so a bulk import announces
-- each campaign once per statement, not once per number.
CREATE FUNCTION dozvon_console_attempt() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('dozvon_console', json_build_object(
    'tenantId', NEW.tenant_id, 'type', 'attempt', 'attemptId', NEW.id, 'campaignId', NEW.campaign_id,
    'kind', NEW.kind, 'status', NEW.status, 'outcome', NEW.outcome)::text);
  RETURN NULL;
END $$;
CREATE TRIGGER attempts_console_notify AFTER INSERT OR UPDATE OF status, outcome, recording_id ON attempts
  FOR EACH ROW EXECUTE FUNCTION dozvon_console_attempt();

CREATE FUNCTION dozvon_console_campaign() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('dozvon_console', json_build_object(
    'tenantId', NEW.tenant_id, 'type', 'campaign', 'campaignId', NEW.id, 'status', NEW.status,
    'statusReason', NEW.status_reason, 'deleted', NEW.deleted_at IS NOT NULL)::text);
  RETURN NULL;
END $$;
CREATE TRIGGER campaigns_console_notify AFTER INSERT OR UPDATE OF status, status_reason, deleted_at, name ON campaigns
  FOR EACH ROW EXECUTE FUNCTION dozvon_console_campaign();

CREATE FUNCTION dozvon_console_numbers() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  FOR r IN SELECT DISTINCT tenant_id, campaign_id FROM added LOOP
    PERFORM pg_notify('dozvon_console', json_build_object('tenantId', r.tenant_id, 'type', 'numbers', 'campaignId', r.campaign_id)::text);
  END LOOP;
  RETURN NULL;
END $$;
CREATE TRIGGER campaign_numbers_console_notify AFTER INSERT ON campaign_numbers REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION dozvon_console_numbers();

-- The webhook delivery log of a tenant, newest first.
CREATE INDEX outbox_tenant_channel_idx ON outbox (tenant_id, channel, created_at DESC);
