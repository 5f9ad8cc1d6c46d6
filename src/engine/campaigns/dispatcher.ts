import { grantJointSlots, grantSlots } from '../../core/pacing.js';
import { platformCps } from '../../voice/voiceConfig.js';
import type { AppContext } from '../../context.js';
import type { ScenarioGraph } from '../../scenario/schema.js';
import { withTransaction } from '../../store/db.js';
import { newId } from '../../store/ids.js';
import { claimDueNumbers, hasDueNumbers } from '../../store/queries/claimDueNumbers.js';
import { markDialing } from '../../store/repositories/attempts.js';
import { listRunningCampaigns, noteTechnicalResult, type Campaign } from '../../store/repositories/campaigns.js';
import type { CampaignNumber } from '../../store/repositories/numbers.js';
import { findVersioned, SCENARIOS } from '../../store/repositories/versioned.js';
import type { Logger } from '../../log.js';
import { Outage, untilDatabaseAnswers } from '../../store/outage.js';
import { isDatabaseUnavailable } from '../../store/unavailable.js';
import { VoicePlatformError, type PlaceCallRequest, type PlacedCall } from '../../voice/port.js';
import { closeAttempt, withoutCall } from '../closeAttempt.js';
import { pickCallerId, prepareCall } from '../prepareCall.js';
import { platformNameOf } from '../voicePlatformFor.js';
import { AWAITED, withPriority } from '../../store/dbPriority.js';
import { budgetLeft, tenantLimits, type TenantLimits } from './budget.js';
import { autoPause } from './lifecycle.js';
import { loadRuntime, type CampaignRuntime } from './runtime.js';

/**
 * Decides who is called now, in every worker process at once. Each tick, for each running campaign
 * with due numbers, one short transaction:
 *   1. takes the tenant's claim lock and the campaign's pacing row (serialising the counts below
 *      across processes),
 *   2. counts calls in progress against the campaign's and the tenant's caps,
 *   3. grants start slots spaced 1/intensity apart (GCRA, src/core/pacing.ts),
 *   4. claims that many due numbers (SKIP LOCKED) and creates their attempts.
 * After commit each call is handed to the platform at its slot. A start whose slot passed (a busy
 * event loop) keeps its number and attempt and takes a new slot at the next tick, before any new
 * number is claimed: no database write for a missed slot (it used to cost a release through
 * closeAttempt and a new claim). A crash between claim and call leaves leased rows that
 * src/engine/campaigns/recoverLeases.ts gives back.
 */
export interface Dispatcher {
  tick(): Promise<number>;
  wake(): void;
  /** Stops claiming; calls already granted a slot are released, not dialled. */
  stop(): Promise<void>;
  /** Calls this process has been granted and not yet handed to the platform. */
  pending(): number;
}

interface Claim {
  number: CampaignNumber;
  attemptId: string;
  slot: Date;
  callerId: string | undefined;
  variables: Record<string, string>;
  /** Slots this claim has missed (a busy event loop); see HOLD_AT_MOST. */
  missed?: number;
}

const TICK_MS = 200;
const TENANT_CLAIM_LOCK = 0x0d0f;
/**
 * A claim whose slot passed is held for the next slot this many times, then given back: a process
 * whose starts keep coming late (a starved CPU) must not sit on numbers and the campaign's line
 * cap that another process could dial (measured with three processes on a loaded machine).
 */
const HOLD_AT_MOST = 1;

/**
 * When a call granted the slot `slotDue` may start, given this process's latest starts of the
 * campaign (ascending, the last ⌊intensity⌋). With other processes on the campaign, never closer
 * than 1/intensity to the previous start: their slots interleave with ours. Alone (PGlite), a start
 * that came late (a busy event loop) must not push every later one back, or the pace sinks below
 * the set one (0.930 measured at 5/s, bench `pacing`): the next ones may follow at 0.8 of the
 * spacing until they are back on their slots (0.981; at half the spacing 0.979, in bunches).
 * Either way never more than ⌊intensity⌋ of this process's starts within any second.
 */
export function startDue(recent: readonly number[], slotDue: number, intensity: number, alone: boolean): number {
  const spacing = 1000 / intensity;
  const last = recent[recent.length - 1];
  if (last === undefined) return slotDue;
  const perSecond = Math.max(1, Math.floor(intensity));
  // One millisecond more: the start's recorded time (dialed_at) is read from the clock just after.
  // Starts exactly on their slots are exactly 1/intensity apart, so without it the recorded times
  // of ⌊intensity⌋ + 1 of them could fall within one second (6 at 5/s on PostgreSQL, bench `pacing`).
  const windowOpens = recent.length >= perSecond ? recent[recent.length - perSecond]! + 1001 : 0;
  return Math.max(slotDue, last + (alone ? spacing * 0.8 : spacing), windowOpens);
}

export function startDispatcher(app: AppContext, o: { tickMs?: number; autoStart?: boolean } = {}): Dispatcher {
  const tickMs = o.tickMs ?? TICK_MS;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<number> | undefined;
  const scheduled = new Map<string, { timer: NodeJS.Timeout; claim: Claim; rt: CampaignRuntime; language: 'ru' | 'en' }>();
  const inFlight = new Set<Promise<void>>();
  const log = app.log.child({ component: 'dispatcher' });
  // While the database is away the dispatcher pauses (one log line), backs off, and resumes by itself.
  const outage = new Outage(log, 'dispatcher');
  const logFor = (c: Campaign, attemptId: string) => log.child({ tenantId: c.tenantId, campaignId: c.id, attemptId });
  // Claims whose start slot passed, per campaign, oldest first: they get the next slots granted.
  const held = new Map<string, Claim[]>();
  const heldCount = () => [...held.values()].reduce((n, l) => n + l.length, 0);

  /** Gives every held claim of a campaign back (it stopped running): nothing was dialled for them. */
  async function releaseHeld(campaignId: string, why: string): Promise<void> {
    const list = held.get(campaignId) ?? [];
    held.delete(campaignId);
    for (const claim of list) await giveBack(claim, why, log.child({ campaignId, attemptId: claim.attemptId }));
  }

  async function claimFor(rt: CampaignRuntime, limits: TenantLimits, want: number): Promise<{ claims: Claim[]; fresh: number; language: 'ru' | 'en' }> {
    const c = rt.campaign;
    const template = rt.template!;
    const platform = platformNameOf(app, template.body);
    const scenario = await findVersioned<ScenarioGraph>(app.db, SCENARIOS, c.tenantId, template.body.scenarioId);
    if (!scenario) return { claims: [], fresh: 0, language: 'ru' };
    const none = { again: [], out: [], slots: [] };
    const result = await withTransaction(app.db, async (tx): Promise<{ again: Claim[]; out: Claim[]; slots: Date[] } | null> => {
      await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [TENANT_CLAIM_LOCK, c.tenantId]);
      const pacing = await tx.query<{ tat: Date; status: string; importing: boolean }>(
        `SELECT p.tat, c.status, EXISTS (SELECT 1 FROM campaign_imports i WHERE i.campaign_id = c.id) AS importing
         FROM campaign_pacing p JOIN campaigns c ON c.id = p.campaign_id
         WHERE p.campaign_id = $1 AND c.deleted_at IS NULL FOR UPDATE OF p`,
        [c.id],
      );
      const row = pacing.rows[0];
      if (!row || row.status !== 'running') return null;
      // A clients file is being stored: its rows wait until the whole file is in (importNumbers.ts).
      if (row.importing) return none;
      const counts = await tx.query<{ campaign: string; tenant: string }>(
        `SELECT count(*) FILTER (WHERE campaign_id = $1) AS campaign, count(*) AS tenant
         FROM campaign_numbers WHERE tenant_id = $2 AND status = 'dialing'`,
        [c.id, c.tenantId],
      );
      // Held claims are 'dialing' rows already: they count against the caps, and get slots first.
      const waiting = held.get(c.id) ?? [];
      const free = Math.min(
        want + waiting.length,
        c.settings.maxConcurrent - Number(counts.rows[0]!.campaign) + waiting.length,
        limits.maxConcurrentCalls - Number(counts.rows[0]!.tenant) + waiting.length,
      );
      if (free <= 0) return none;
      const now = app.clock.now();
      // The platform's account admits so many starts per second, across all campaigns and processes:
      // its row is locked last (after the tenant and the campaign), so claims never deadlock.
      const cps = platformCps(app.config, platform);
      let platformTat: Date | undefined;
      if (cps !== undefined) {
        await tx.query('INSERT INTO platform_pacing (platform) VALUES ($1) ON CONFLICT DO NOTHING', [platform]);
        platformTat = (await tx.query<{ tat: Date }>('SELECT tat FROM platform_pacing WHERE platform = $1 FOR UPDATE', [platform])).rows[0]!.tat;
      }
      const grant =
        cps !== undefined && platformTat
          ? grantJointSlots(now, [{ tat: row.tat, ratePerSec: rt.intensity }, { tat: platformTat, ratePerSec: cps }], free, tickMs + 100)
          : grantSlots(now, row.tat, rt.intensity, free, tickMs + 100);
      if (grant.slots.length === 0) return none;
      const again = waiting.slice(0, grant.slots.length);
      const leaseUntil = new Date(now.getTime() + app.config.dialLeaseSec * 1000);
      const numbers = await claimDueNumbers(tx, { campaignId: c.id, now, limit: grant.slots.length - again.length, worker: app.workerId, leaseUntil });
      // Only the slots used are consumed: the next call may start 1/intensity after the last one.
      const used = grant.slots.slice(0, again.length + numbers.length);
      if (used.length === 0) return none;
      if (again.length) {
        // A held claim about to be dialled keeps its lease; one recovered meanwhile (its attempt is
        // no longer the number's) is left alone, and place() will find its attempt closed. By primary
        // key alone: with 'dialing' in the WHERE the planner could scan every dialing number instead.
        await tx.query(
          `UPDATE campaign_numbers SET locked_until = CASE WHEN status = 'dialing' AND current_attempt_id = ANY($2::uuid[]) THEN $3 ELSE locked_until END
           WHERE id = ANY($1::uuid[])`,
          [again.map((x) => x.number.id), again.map((x) => x.attemptId), leaseUntil],
        );
      }
      const lastStart = used[used.length - 1]!.getTime();
      await tx.query('UPDATE campaign_pacing SET tat = $2 WHERE campaign_id = $1', [c.id, new Date(lastStart + 1000 / rt.intensity)]);
      if (cps !== undefined) await tx.query('UPDATE platform_pacing SET tat = $2 WHERE platform = $1', [platform, new Date(lastStart + 1000 / cps)]);
      const contacts = await tx.query<{ id: string; variables: Record<string, string> }>(
        'SELECT id, variables FROM campaign_contacts WHERE id = ANY($1::uuid[])',
        [numbers.map((n) => n.contactId)],
      );
      const vars = new Map(contacts.rows.map((r) => [r.id, r.variables]));
      const out: Claim[] = [];
      for (const [i, n] of numbers.entries()) {
        out.push({ number: n, attemptId: newId(), slot: used[again.length + i]!, callerId: await pickCallerId(tx, c.tenantId, template.body), variables: vars.get(n.contactId) ?? {} });
      }
      if (out.length === 0) return { again, out, slots: used };
      await tx.query(
        `INSERT INTO attempts (id, tenant_id, kind, campaign_id, number_id, contact_id, attempt_no, phone, template_id, template_version_id,
           scenario_version_id, variables, platform, caller_id, created_at, placed)
         SELECT a.id, $1, 'campaign', $2, a.number_id, a.contact_id, a.attempt_no, a.phone, $3, $4, $5, a.vars::jsonb, $6, a.caller_id, $7, false
         FROM unnest($8::uuid[], $9::uuid[], $10::uuid[], $11::int[], $12::text[], $13::text[], $14::text[])
           AS a(id, number_id, contact_id, attempt_no, phone, vars, caller_id)`,
        [
          c.tenantId,
          c.id,
          template.id,
          template.versionId,
          scenario.versionId,
          platform,
          now,
          out.map((x) => x.attemptId),
          out.map((x) => x.number.id),
          out.map((x) => x.number.contactId),
          out.map((x) => x.number.attemptsMade + 1),
          out.map((x) => x.number.phone),
          out.map((x) => JSON.stringify(x.variables)),
          out.map((x) => x.callerId ?? null),
        ],
      );
      await tx.query(
        // "n.id = ANY" keeps the primary-key lookup even when the table's statistics are stale.
        `UPDATE campaign_numbers n SET current_attempt_id = a.attempt_id FROM unnest($1::uuid[], $2::uuid[]) AS a(number_id, attempt_id)
         WHERE n.id = ANY($1::uuid[]) AND n.id = a.number_id`,
        [out.map((x) => x.number.id), out.map((x) => x.attemptId)],
      );
      return { again, out, slots: used };
    });
    // The campaign stopped running: what this worker still holds for it goes back.
    if (result === null) {
      await releaseHeld(c.id, 'campaign no longer running');
      return { claims: [], fresh: 0, language: scenario.body.language };
    }
    // Committed: the held claims that got a slot leave the waiting list (a failed transaction keeps them).
    const { again, out } = result;
    again.forEach((claim, i) => (claim.slot = result.slots[i]!));
    const rest = (held.get(c.id) ?? []).filter((x) => !again.includes(x));
    if (rest.length) held.set(c.id, rest);
    else held.delete(c.id);
    return { claims: [...again, ...out], fresh: out.length, language: scenario.body.language };
  }

  async function place(rt: CampaignRuntime, claim: Claim, language: 'ru' | 'en', startedAt: Date): Promise<void> {
    const c = rt.campaign;
    const clog = logFor(c, claim.attemptId);
    let req: PlaceCallRequest;
    try {
      req = await prepareCall(app, {
        attemptId: claim.attemptId,
        tenantId: c.tenantId,
        to: claim.number.phone,
        settings: rt.template!.body,
        language,
        callerId: claim.callerId,
        ringTimeoutSec: c.settings.ringTimeoutSec,
      });
      // Recorded as placed before the platform is asked: after a crash right here we count a call that
      // may not have happened rather than risk dialling the same attempt twice.
      const mine = await app.db.query(`UPDATE attempts SET dialed_at = $2, placed = true WHERE id = $1 AND status <> 'completed'`, [
        claim.attemptId,
        startedAt,
      ]);
      // The claim was recovered meanwhile (this worker looked dead): someone else owns the number now.
      if ((mine.rowCount ?? 0) === 0) return;
    } catch (e) {
      // Nothing was dialled. If the database went away, the number goes back untouched once it is back.
      if (isDatabaseUnavailable(e)) return giveBack(claim, 'the database was unavailable before dialling', clog);
      return failTechnically(rt, claim, e, clog);
    }
    let placed: PlacedCall;
    try {
      const name = platformNameOf(app, rt.template!.body);
      const platform = app.voice.get(name);
      if (!platform) throw new VoicePlatformError(`voice platform "${name}" is not configured`, true);
      placed = await platform.placeCall(req);
    } catch (e) {
      return failTechnically(rt, claim, e, clog);
    }
    // The call is live: its id reaches the attempt even if the database blinks right now (it is
    // also taken from the platform's first event; this write is what a hang-up needs meanwhile).
    await untilDatabaseAnswers(
      () => markDialing(app.db, claim.attemptId, { providerCallId: placed.providerCallId, platformData: placed.platformData, callerId: null, at: null }),
      { outage, stopped: () => stopped, context: { attemptId: claim.attemptId } },
    );
    if (c.techErrorsInRow > 0) {
      await noteTechnicalResult(app.db, c.id, false).catch((e: unknown) => clog.warn({ err: e }, 'dispatcher: resetting the technical-error count failed; the next success resets it'));
    }
  }

  /** The platform refused the call (J2): a technical failure, counted and maybe pausing the campaign. */
  async function failTechnically(rt: CampaignRuntime, claim: Claim, e: unknown, clog: Logger): Promise<void> {
    const c = rt.campaign;
    const message = e instanceof VoicePlatformError ? e.message : `voice platform error: ${(e as Error).message}`;
    if (!(e instanceof VoicePlatformError)) clog.error({ err: e }, 'dispatcher: placing a call failed');
    await untilDatabaseAnswers(
      () =>
        withTransaction(app.db, async (tx) => {
          const inRow = await noteTechnicalResult(tx, c.id, true);
          // J2: the ninth technical error in a row costs an attempt.
          const consumed = claim.number.techErrors + 1 >= 9;
          await closeAttempt(app, tx, claim.attemptId, withoutCall({ outcome: 'failed', error: message, at: app.clock.now(), technical: true, consumed }));
          if (inRow >= app.config.techErrorsPauseAfter) await autoPause(app, tx, c.id, 'technical_error', message);
        }),
      { outage, stopped: () => stopped, context: { attemptId: claim.attemptId } },
    );
  }

  /** Gives a claim back once the database answers; if the worker stops first, lease recovery does it later. */
  async function giveBack(claim: Claim, why: string, clog: Logger): Promise<void> {
    await untilDatabaseAnswers(() => release(claim, why), { outage, stopped: () => stopped, context: { attemptId: claim.attemptId } }).catch((e: unknown) =>
      clog.warn({ err: e }, 'dispatcher: a claimed number was not given back now; lease recovery returns it'),
    );
  }

  /** Gives a claimed number back untouched (no call was made): the worker stops, or its slot was missed. */
  async function release(claim: Claim, why: string): Promise<void> {
    await withTransaction(app.db, (tx) =>
      closeAttempt(app, tx, claim.attemptId, withoutCall({ outcome: 'cancelled', error: `released: ${why}`, at: app.clock.now(), technical: false, consumed: false })),
    );
  }

  // Actual starts of the calls this process placed per campaign, the last ⌊intensity⌋ of them: a
  // slot whose timer fired early or right after a late one waits (see startDue).
  const recentStarts = new Map<string, number[]>();
  // The same per voice platform account with a calls-per-second limit, shared by its campaigns.
  const lastPlatformStart = new Map<string, number>();
  // On PGlite this process is the only one (the data directory is locked by one process).
  const alone = app.db.kind === 'pglite';

  function schedule(rt: CampaignRuntime, claim: Claim, language: 'ru' | 'en'): void {
    const spacing = 1000 / rt.intensity;
    const platform = platformNameOf(app, rt.template!.body);
    const cps = platformCps(app.config, platform);
    const slotDue = Date.now() + Math.max(0, claim.slot.getTime() - app.clock.now().getTime());
    const fire = () => {
      const due = Math.max(
        startDue(recentStarts.get(rt.campaign.id) ?? [], slotDue, rt.intensity, alone),
        cps === undefined ? 0 : (lastPlatformStart.get(platform) ?? 0) + 1000 / cps,
      );
      const now = Date.now();
      if (now < due) {
        scheduled.set(claim.attemptId, { timer: setTimeout(fire, due - now), claim, rt, language });
        return;
      }
      scheduled.delete(claim.attemptId);
      // Every start lands within 0.9 × spacing after its GCRA slot, or not at all: two starts are
      // then never closer than 0.1 × spacing, and no 1-second window holds more than
      // ⌊intensity⌋ + 1 starts — across processes too. A later slot (busy event loop) is given up;
      // the claim keeps its number and attempt and waits for a slot of the next tick (once, see
      // HOLD_AT_MOST; then the number goes back to the queue): throughput drops, the pace never rises.
      // On PGlite this process is the only one: its own starts (startDue: never more than
      // ⌊intensity⌋ in a second, never closer than 0.8 of the spacing; 1/cps per platform account)
      // are all the starts, so a late one still goes, and the ones after it catch up.
      if (!alone && now - slotDue > 0.9 * spacing) {
        claim.missed = (claim.missed ?? 0) + 1;
        if (stopped || claim.missed > HOLD_AT_MOST) {
          const why = stopped ? 'worker stopping before dialling' : 'start slot missed';
          const p = giveBack(claim, why, logFor(rt.campaign, claim.attemptId)).finally(() => inFlight.delete(p));
          inFlight.add(p);
        } else {
          held.set(rt.campaign.id, [...(held.get(rt.campaign.id) ?? []), claim]);
        }
        return;
      }
      const starts = recentStarts.get(rt.campaign.id) ?? [];
      starts.push(now);
      if (starts.length > Math.max(1, Math.floor(rt.intensity))) starts.shift();
      recentStarts.set(rt.campaign.id, starts);
      if (cps !== undefined) lastPlatformStart.set(platform, now);
      const p = place(rt, claim, language, app.clock.now())
        .catch((e: unknown) => logFor(rt.campaign, claim.attemptId).error({ err: e }, 'dispatcher: placing a call failed'))
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    };
    scheduled.set(claim.attemptId, { timer: setTimeout(fire, Math.max(0, slotDue - Date.now())), claim, rt, language });
  }

  async function tick(): Promise<number> {
    if (ticking) return ticking;
    ticking = (async () => {
      const now = app.clock.now();
      const running = await listRunningCampaigns(app.db);
      const byTenant = new Map<string, Campaign[]>();
      for (const c of running) byTenant.set(c.tenantId, [...(byTenant.get(c.tenantId) ?? []), c]);
      let claimed = 0;
      for (const [tenantId, campaigns] of byTenant) {
        // Read once per tenant and tick: the budget, the fair share and each claim's cap use them.
        const limits = await tenantLimits(app.db, tenantId);
        if ((await budgetLeft(app.db, tenantId, now, limits)) <= 0) {
          await withTransaction(app.db, async (tx) => {
            for (const c of campaigns) await autoPause(app, tx, c.id, 'limits_exhausted', null);
          });
          continue;
        }
        const due: Campaign[] = [];
        for (const c of campaigns) if (held.has(c.id) || (await hasDueNumbers(app.db, c.id, now))) due.push(c);
        if (due.length === 0) continue;
        // Fair share: the tenant's free lines split evenly between its campaigns with work to do;
        // the rotating start keeps the same campaign from always going first.
        const share = Math.max(1, Math.ceil(limits.maxConcurrentCalls / due.length));
        const offset = Math.floor(now.getTime() / tickMs) % due.length;
        for (let i = 0; i < due.length; i++) {
          if (stopped) return claimed;
          const c = due[(i + offset) % due.length]!;
          const rt = await loadRuntime(app.db, c);
          if (!rt.template || !app.voice.get(platformNameOf(app, rt.template.body))) {
            // No template, or its voice platform is not configured in this install: the channel is gone (J6).
            await withTransaction(app.db, (tx) => autoPause(app, tx, c.id, 'channel_deleted', rt.template ? platformNameOf(app, rt.template.body) : null));
            await releaseHeld(c.id, 'campaign no longer running');
            continue;
          }
          const { claims, fresh, language } = await claimFor(rt, limits, share);
          for (const claim of claims) schedule(rt, claim, language);
          claimed += fresh;
        }
      }
      // Held claims of campaigns that are no longer running (paused, finished, deleted) go back.
      const runningIds = new Set(running.map((c) => c.id));
      for (const id of [...held.keys()]) if (!runningIds.has(id)) await releaseHeld(id, 'campaign no longer running');
      return claimed;
    })().finally(() => (ticking = undefined));
    return ticking;
  }

  const loop = () => {
    if (stopped) return;
    let wait = tickMs;
    // A call start has its due time: on PGlite its statements queue with requests people await,
    // ahead of the work nobody waits on (src/store/dbPriority.ts); its start timers inherit that.
    withPriority(AWAITED, tick)
      .then(
        () => outage.ok(),
        (e: unknown) => (wait = Math.max(tickMs, outage.failed(e))),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, wait);
      });
  };
  if (o.autoStart !== false) timer = setTimeout(loop, 50);

  return {
    tick,
    wake() {
      // During an outage the back-off timer decides when to try again.
      if (stopped || ticking || outage.isDown) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(loop, 0);
    },
    pending: () => scheduled.size + heldCount(),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      // A failed last tick was logged by the loop; stopping does not depend on it.
      await ticking?.catch(() => undefined);
      // Granted but not yet dialled, or held for a next slot: give the numbers back untouched.
      const waiting = [...scheduled.values()];
      scheduled.clear();
      for (const w of waiting) clearTimeout(w.timer);
      const unplaced = [
        ...waiting.map((w) => ({ claim: w.claim, clog: logFor(w.rt.campaign, w.claim.attemptId) })),
        ...[...held].flatMap(([campaignId, list]) => list.map((claim) => ({ claim, clog: log.child({ campaignId, attemptId: claim.attemptId }) }))),
      ];
      held.clear();
      for (const { claim, clog } of unplaced) {
        await release(claim, 'worker stopping before dialling').catch((e: unknown) =>
          clog.warn({ err: e }, 'dispatcher: a claimed number was not given back at stop; lease recovery returns it'),
        );
      }
      await Promise.all([...inFlight]);
    },
  };
}
