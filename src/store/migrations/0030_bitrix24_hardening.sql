-- Bitrix24 hardening (issue 8): token lifetimes, robot return deadlines, a recovery window after
-- an uninstall.

-- How long the stored access token lives (`expires_in`): the proactive refresh margin follows it
-- (min(60 s, 20 % of it)), so a portal issuing 30-second tokens is not refreshed before every call.
-- NULL for rows stored before this column: one hour, Bitrix24's documented lifetime.
ALTER TABLE b24_portals ADD COLUMN access_lifetime_sec integer;

-- An uninstall Bitrix24 confirmed with data[CLEAN]=1: the portal's data is erased at this moment
-- unless the app is installed again before (src/crm/bitrix24/install/purgePortal.ts).
ALTER TABLE b24_portals ADD COLUMN purge_after timestamptz;

-- A robot run answers its workflow before Bitrix24 stops waiting for it (`timeout_duration`):
-- `deadline_at` is when Bitrix24 stops waiting (NULL: the robot waits without a limit), `answer_by`
-- when Dozvon answers at the latest (a margin before), `return_mode` the template's choice at the
-- time of the call (after the first attempt, or when final), and `returned_final` whether the values
-- it got were the chain's final outcome.
ALTER TABLE b24_robot_runs ADD COLUMN deadline_at timestamptz;
ALTER TABLE b24_robot_runs ADD COLUMN answer_by timestamptz;
ALTER TABLE b24_robot_runs ADD COLUMN return_mode text NOT NULL DEFAULT 'final';
ALTER TABLE b24_robot_runs ADD COLUMN returned_final boolean;

-- Robots registered before this version lack the `final` return value and the `pending` outcome:
-- each installed portal's robots are brought up to date once by the usual `robot.sync` job
-- (src/crm/bitrix24/robots/syncRobot.ts; `bizproc.robot.update` with the current definition).
-- The app triggers are registered on such portals the first time one is fired.
INSERT INTO outbox (id, tenant_id, channel, kind, idempotency_key, partition_key, payload, next_attempt_at, expires_at, created_at)
SELECT gen_random_uuid(), r.tenant_id, 'bitrix24', 'robot.sync', 'b24:robot.sync:' || r.template_id || ':definition-0030',
       'b24:' || r.tenant_id || ':robots', jsonb_build_object('templateId', r.template_id), now(), now() + interval '7 days', now()
FROM b24_robots r JOIN b24_portals p ON p.tenant_id = r.tenant_id
WHERE r.registered_at IS NOT NULL AND r.deleted_at IS NULL AND p.access_token_enc IS NOT NULL
ON CONFLICT (idempotency_key) DO NOTHING;
