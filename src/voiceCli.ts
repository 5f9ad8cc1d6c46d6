import { loadConfig, type Config } from './config.js';
import type { VoicePlatformName } from './core/voiceSettings.js';
import { VOICE_PLATFORMS } from './core/voiceSettings.js';
import { createScenario } from './engine/catalog/scenarios.js';
import { createTemplate } from './engine/catalog/templates.js';
import { placeTestCall } from './engine/placeTestCall.js';
import { toAttemptDto } from './engine/attemptDto.js';
import { t } from './i18n.js';
import { startDozvon } from './main.js';
import { createOutboundHttp } from './net/outboundHttp.js';
import { findAttemptById } from './store/repositories/attempts.js';
import { listVersioned, SCENARIOS, TEMPLATES } from './store/repositories/versioned.js';
import { VoximplantApi } from './voice/voximplant/managementApi.js';
import { setupVoximplant } from './voice/voximplant/setup.js';

/**
 * The voice-platform commands of the CLI:
 *   voice-setup <platform>            prepare the account (Voximplant: application, scenario, rule), idempotently
 *   voice-check <platform> [--to N]   check the credentials; with --to, place one real call and print each event
 */
type Out = (line: string) => void;

function platformArg(name: string | undefined, out: Out, lng: 'ru' | 'en'): VoicePlatformName | undefined {
  if (name && (VOICE_PLATFORMS as readonly string[]).includes(name)) return name as VoicePlatformName;
  out(t(lng, 'voice.cli.which_platform', { platforms: VOICE_PLATFORMS.join(', ') }));
  return undefined;
}

export async function voiceSetup(args: string[], out: Out, err: Out): Promise<number> {
  const config = loadConfig();
  const lng = config.defaultLocale;
  const name = platformArg(args[0], err, lng);
  if (!name) return 2;
  if (name !== 'voximplant') {
    out(t(lng, 'voice.cli.nothing_to_set_up', { platform: name }));
    return 0;
  }
  const c = config.voice.voximplant;
  if (!c) {
    err(t(lng, 'voice.cli.not_configured', { platform: name }));
    return 2;
  }
  if (!config.publicUrl) {
    err(t(lng, 'voice.cli.public_url_needed'));
    return 2;
  }
  if (!config.publicUrl.startsWith('https://') && !config.crmAllowHttp) out(t(lng, 'voice.cli.public_url_not_https', { url: config.publicUrl }));
  const http = createOutboundHttp({ allowLoopbackHttp: config.crmAllowHttp });
  try {
    const r = await setupVoximplant(new VoximplantApi(c, http), c, config.publicUrl);
    out(t(lng, 'voice.cli.setup_application', { name: r.application.name, id: r.application.id, action: t(lng, `voice.cli.action.${r.application.created ? 'created' : 'unchanged'}`) }));
    if (r.application.secureRecords === 'turned_on') out(t(lng, 'voice.cli.secure_records_on'));
    out(t(lng, 'voice.cli.setup_scenario', { name: r.scenario.name, id: r.scenario.id, action: t(lng, `voice.cli.action.${r.scenario.action}`), url: config.publicUrl }));
    out(t(lng, 'voice.cli.setup_rule', { name: r.rule.name, id: r.rule.id, action: t(lng, `voice.cli.action.${r.rule.action}`) }));
    return 0;
  } finally {
    await http.close();
  }
}

export async function voiceCheck(args: string[], out: Out, err: Out): Promise<number> {
  const config: Config = loadConfig();
  const lng = config.defaultLocale;
  const name = platformArg(args[0], err, lng);
  if (!name) return 2;
  const toIndex = args.indexOf('--to');
  const to = toIndex >= 0 ? args[toIndex + 1] : undefined;
  if (toIndex >= 0 && !to) {
    err(t(lng, 'voice.cli.to_missing'));
    return 2;
  }
  // The server itself (its webhooks must be reachable at PUBLIC_URL while the call runs), no workers.
  const running = await startDozvon({ ...process.env, WORKERS: 'false', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  try {
    const app = running.app;
    const platform = app.voice.get(name);
    if (!platform) {
      err(t(lng, 'voice.cli.not_configured', { platform: name }));
      return 2;
    }
    if (platform.checkAccount) {
      const check = await platform.checkAccount();
      out(t(lng, 'voice.cli.account_ok', { platform: name }));
      for (const [k, v] of Object.entries(check.facts)) out(`  ${k}: ${v}`);
    }
    if (!to) return 0;
    const templateId = await checkTemplate(app, name, lng);
    const placed = await placeTestCall(app, { tenantId: app.consoleTenantId, userId: null, templateId, phone: to, variables: {} });
    out(t(lng, 'voice.cli.call_placed', { to: placed.phone, id: placed.id, callId: placed.providerCallId ?? '' }));
    const seen = new Set<number>();
    const deadline = Date.now() + 10 * 60_000;
    for (;;) {
      const events = await app.db.query<{ seq: number; type: string; payload: Record<string, unknown>; received_at: Date }>('SELECT seq, type, payload, received_at FROM call_events WHERE attempt_id = $1 ORDER BY seq', [placed.id]);
      for (const e of events.rows) {
        if (seen.has(e.seq)) continue;
        seen.add(e.seq);
        const p = e.payload;
        const detail = e.type === 'amd' ? String(p.verdict) : e.type === 'ended' ? `${String(p.cause)} SIP ${String(p.sipCode)} ${String(p.talkSec)} s` : e.type === 'recording' ? String(p.recordingUrl ?? '—') : '';
        out(`  ${e.received_at.toISOString().slice(11, 19)} ${e.type} ${detail}`.trimEnd());
      }
      const a = await findAttemptById(app.db, placed.id);
      if (a?.status === 'completed' && !(a.recordingSource && !a.recordingId)) {
        const dto = toAttemptDto(app, a);
        out(t(lng, 'voice.cli.call_done', { outcome: dto.outcome, result: dto.result ?? '—', talk: dto.talkSec ?? 0, cost: dto.cost === null ? '—' : `${dto.cost} ${dto.costCurrency ?? ''}`.trim() }));
        for (const [k, v] of Object.entries(dto.answers)) out(`  ${k}: ${v.text} → ${v.branch}`);
        if (dto.recordingUrl) out(t(lng, 'voice.cli.recording', { url: dto.recordingUrl }));
        if (dto.error) out(`  ${dto.error}`);
        return dto.outcome === 'failed' ? 1 : 0;
      }
      if (Date.now() > deadline) {
        err(t(lng, 'voice.cli.call_timeout'));
        return 1;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await running.stop();
  }
}

/** A short scenario and a template on the platform, made once and reused: "say yes or press 1". */
async function checkTemplate(app: Parameters<typeof placeTestCall>[0], platform: VoicePlatformName, lng: 'ru' | 'en'): Promise<string> {
  const name = t(lng, 'voice.check.template', { platform });
  const existing = (await listVersioned<{ name: string }>(app.db, TEMPLATES, app.consoleTenantId)).find((x) => x.name === name);
  if (existing) return existing.id;
  const scenarioName = t(lng, 'voice.check.scenario');
  const scenario =
    (await listVersioned<{ name: string }>(app.db, SCENARIOS, app.consoleTenantId)).find((x) => x.name === scenarioName) ??
    (await createScenario(app, app.consoleTenantId, null, {
      name: scenarioName,
      language: lng,
      nodes: [
        { id: 'start', type: 'start', exits: { next: 'ask' } },
        {
          id: 'ask',
          type: 'ask',
          settings: { question: t(lng, 'voice.check.question'), branches: [{ id: 'yes', intent: 'yes', keywords: ['1'] }], timeoutSec: 6, retries: 1 },
          exits: { yes: 'ok', noMatch: 'bye', noInput: 'bye' },
        },
        { id: 'ok', type: 'setResult', settings: { result: 'check_ok', tags: [] }, exits: { next: 'thanks' } },
        { id: 'thanks', type: 'hangUp', settings: { text: t(lng, 'voice.check.thanks') } },
        { id: 'bye', type: 'hangUp', settings: { text: t(lng, 'voice.check.bye') } },
      ],
    }));
  const template = await createTemplate(app, app.consoleTenantId, null, { name, scenarioId: scenario.id, amd: { mode: 'off', greetingId: null }, voice: { platform } });
  return template.id;
}
