import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallEngine } from '../../../src/engine/callEngine.js';
import { newId } from '../../../src/store/ids.js';
import { findAttemptById, insertAttempt } from '../../../src/store/repositories/attempts.js';
import { findVersioned, listVersioned, SCENARIOS, TEMPLATES } from '../../../src/store/repositories/versioned.js';
import type { CallEngine } from '../../../src/voice/port.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { makeTemplate } from '../../support/campaigns.js';

/**
 * The interpreter's entry point against the real database: inputs stored once, a repeated step
 * answered from what is stored, steps out of order refused, and the conversation saved when the
 * scenario ends — in whichever process the step lands.
 */
let t: TestApp;
let engine: CallEngine;
let templateId: string;

async function newAttempt(): Promise<string> {
  const app = t.dozvon.app;
  const template = (await findVersioned<{ scenarioId: string }>(app.db, TEMPLATES, t.tenantId, templateId))!;
  const scenario = (await listVersioned(app.db, SCENARIOS, t.tenantId))[0]!;
  const id = newId();
  await insertAttempt(app.db, {
    id, tenantId: t.tenantId, kind: 'test', campaignId: null, numberId: null, attemptNo: 1, phone: '+79001112233',
    templateId, templateVersionId: template.versionId, scenarioVersionId: scenario.versionId, variables: { name: 'Anna' },
    platform: 'sandbox', callerId: null, createdBy: null, createdAt: app.clock.now(),
  });
  return id;
}

beforeAll(async () => {
  t = await startTestApp();
  engine = createCallEngine(t.dozvon.app);
  templateId = await makeTemplate(t.dozvon.app, t.tenantId, { redirect: { mode: 'custom', target: '+79990000001' }, voice: { speechHints: ['Dozvon'], transferTimeoutSec: 25 } });
});
afterAll(async () => t?.stop());

describe('advance(attemptId, step, input)', () => {
  it('a repeated step (a retried webhook) returns the same actions and stores the input once', async () => {
    const id = await newAttempt();
    const first = await engine.advance(id, 0, { kind: 'answered' });
    expect(first.actions.map((a) => a.kind)).toEqual(['say', 'say']);
    expect(first.speech).toMatchObject({ language: 'en', locale: 'en-US', voice: 'bot' });
    const again = await engine.advance(id, 0, { kind: 'answered' });
    expect(again).toEqual(first);
    // The template's own hints join every question's.
    const listen = first.actions.at(-1)!;
    expect('listen' in listen && listen.listen?.hints).toEqual(expect.arrayContaining(['Dozvon', 'yes']));

    const silent1 = await engine.advance(id, 1, { kind: 'heard', text: '' });
    const silent2 = await engine.advance(id, 1, { kind: 'heard', text: 'a different text the second time' });
    expect(silent2).toEqual(silent1);
    const r = await t.dozvon.app.db.query<{ n: number }>('SELECT jsonb_array_length(inputs) AS n FROM call_dialogues WHERE attempt_id = $1', [id]);
    expect(r.rows[0]!.n).toBe(2);
  });

  it('steps out of order are refused; a step for an unknown call is a 404', async () => {
    const id = await newAttempt();
    await expect(engine.advance(id, 1, { kind: 'heard', text: 'yes' })).rejects.toMatchObject({ code: 'conflict' });
    await engine.advance(id, 0, { kind: 'answered' });
    await expect(engine.advance(id, 3, { kind: 'heard', text: 'yes' })).rejects.toMatchObject({ code: 'conflict' });
    await expect(engine.advance(id, 1, { kind: 'answered' })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(engine.advance(newId(), 0, { kind: 'answered' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('concurrent deliveries of the same step agree and store it once', async () => {
    const id = await newAttempt();
    await engine.advance(id, 0, { kind: 'answered' });
    const replies = await Promise.all([1, 2, 3, 4].map(() => engine.advance(id, 1, { kind: 'heard', text: 'yes' })));
    for (const r of replies) expect(r).toEqual(replies[0]);
    expect(replies[0]!.actions.map((a) => a.kind)).toEqual(['say', 'hangup']);
  });

  it('the end of the scenario saves result, answers and steps before the hang-up is returned', async () => {
    const id = await newAttempt();
    await engine.advance(id, 0, { kind: 'answered' });
    await engine.advance(id, 1, { kind: 'heard', text: 'no thanks' });
    const a = (await findAttemptById(t.dozvon.app.db, id))!;
    expect(a).toMatchObject({ result: 'not_interested', tags: ['negative'] });
    expect(a.answers.askInterest).toMatchObject({ branch: 'no', text: 'no thanks' });
    expect(a.steps.length).toBeGreaterThan(3);
  });

  it('an unclear answer transfers to the pinned target with the template’s ring timeout', async () => {
    const id = await newAttempt();
    await engine.advance(id, 0, { kind: 'answered' });
    await engine.advance(id, 1, { kind: 'heard', text: '' });
    const r = await engine.advance(id, 2, { kind: 'heard', text: 'what?' });
    expect(r.actions.at(-1)).toEqual({ kind: 'transfer', to: ['+79990000001'], strategy: 'sequential', ringTimeoutSec: 25, trunk: undefined });
    const done = await engine.advance(id, 3, { kind: 'transferred', connected: true, result: 'answered' });
    expect(done.actions).toEqual([]);
    expect((await findAttemptById(t.dozvon.app.db, id))!.transfer).toEqual({ target: '+79990000001', connected: true });
  });

  it('a machine confirmed at answer (blocking detection) gets a hang-up and no dialogue', async () => {
    const id = await newAttempt();
    const r = await engine.advance(id, 0, { kind: 'answered', amd: 'machine' });
    expect(r.actions).toEqual([{ kind: 'hangup' }]);
    expect((await findAttemptById(t.dozvon.app.db, id))!.steps).toEqual([]);
  });

  it('a completed attempt gets a hang-up for any further step', async () => {
    const id = await newAttempt();
    await engine.advance(id, 0, { kind: 'answered' });
    await t.dozvon.app.db.query(`UPDATE attempts SET status = 'completed' WHERE id = $1`, [id]);
    expect((await engine.advance(id, 1, { kind: 'heard', text: 'yes' })).actions).toEqual([{ kind: 'hangup' }]);
  });
});
