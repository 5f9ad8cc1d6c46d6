import crypto from 'node:crypto';
import type { Portal } from '../../fakes/bitrix24/index.js';
import { startHarness, type B24Harness } from '../../integration/bitrix24/support.js';
import { signCallback } from '../../../src/voice/sandbox/callbackSignature.js';
import { buildRouteWorld } from '../routeWorld.js';
import type { FuzzContext } from './routes.js';

/**
 * What the fuzz suite runs against: one Dozvon with the Bitrix24 adapter on and a portal of the
 * emulator installed (so portal routes get past their checks with real tokens), background workers
 * off (nothing changes the database but the requests themselves), and a few real records of every
 * kind whose ids and bodies the generators start from.
 */
export interface FuzzWorld {
  h: B24Harness;
  portal: Portal;
  context: FuzzContext;
  stop(): Promise<void>;
}

export async function buildFuzzWorld(): Promise<FuzzWorld> {
  // amoCRM keys too, so its routes (/amocrm/*) are mounted and fuzzed with the generic generators.
  const h = await startHarness({
    WORKERS: 'false',
    UPLOAD_LIMIT_MB: '1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    AMOCRM_CLIENT_ID: crypto.randomUUID(),
    AMOCRM_CLIENT_SECRET: crypto.randomBytes(32).toString('base64url'),
  });
  const { t } = h;
  const portal = await h.newPortal();
  await h.install(portal);
  const world = await buildRouteWorld(t);
  const contact = portal.addContact({ name: 'Fuzz', phones: ['+7 900 000-00-04'] });
  const dealId = portal.addDeal({ title: 'Fuzz deal', contactIds: [contact] });

  const template = await t.api<{ settings: Record<string, unknown> }>('GET', `/templates/${world.ids.templates}`);
  const scenario = await t.api<{ body?: Record<string, unknown>; graph?: Record<string, unknown> } & Record<string, unknown>>('GET', `/scenarios/${world.ids.scenarios}`);
  // One finished call, so callbacks and attempt routes have a real attempt to aim at.
  const call = await t.api<{ id: string }>('POST', '/test-calls', { templateId: world.ids.templates, phone: '+79000000001', variables: {} });
  if (call.status >= 300) throw new Error(`test call: ${call.status} ${JSON.stringify(call.body)}`);
  await t.api('GET', `/attempts/${call.body.id}?wait=30`);
  await t.dozvon.sandbox.drain();

  const context: FuzzContext = {
    ids: { ...world.ids, attempts: call.body.id },
    bases: {
      template: { ...template.body.settings, name: 'Fuzzed template' },
      scenario: (scenario.body.graph ?? scenario.body.body ?? scenario.body) as Record<string, unknown>,
      campaign: { name: 'Fuzzed', templateId: world.ids.templates, settings: { window: { days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' }, maxConcurrent: 5, attempts: { initial: 1, max: 3 } }, startAt: new Date(Date.now() + 86400_000).toISOString() },
      campaignEdit: { name: 'Renamed', settings: { maxConcurrent: 3 } },
      redialRuleSet: { name: 'Fuzz rules', rules: { busy: { delayMinutes: 10, from: 'start', maxCount: 2 } } },
      callerIdGroup: { name: 'Fuzz group', numbers: ['+74959898533'] },
      dialPlan: { name: 'Fuzz plan', trunk: 'sip:trunk@carrier', rules: [{ prefix: '7', stripDigits: 1, addPrefix: '8' }] },
      transferDirection: { name: 'Fuzz desk', numbers: ['101'] },
    },
    adminToken: t.token,
    apiKey: world.apiKey,
    signSandbox: (body) => signCallback(t.dozvon.app.keys.voiceCallback, body, Math.floor(Date.now() / 1000)),
    b24: {
      memberId: portal.memberId,
      applicationToken: portal.applicationToken,
      domain: portal.domain,
      robotCode: portal.robots()[0]?.code ?? 'calltask',
      frameToken: portal.issueTokens(1).accessToken,
      dealId,
      serverEndpoint: h.emu.serverEndpoint,
    },
  };
  return { h, portal, context, stop: () => h.stop() };
}
