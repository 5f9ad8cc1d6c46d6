import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { addBatch, createCampaign, listAttempts, makeTemplate, waitSettled, magic, getCampaign } from './helpers.js';

let t: TestApp;
beforeAll(async () => { t = await startTestApp(); });
afterAll(async () => t?.stop());

it('explore', async () => {
  const tpl = await makeTemplate(t);
  const c = await createCampaign(t, tpl);
  console.log(c);
  const r = await addBatch(t, c.id, ['0001','0002','0003','0004','0005','0006','0007','0008','0009'].map((x) => ({ phone: magic(x), externalId: 'e' + x, variables: { name: 'Anna' } })));
  console.log(JSON.stringify(r));
  const ns = await waitSettled(t, c.id, { timeoutMs: 20000 });
  console.log(ns.map((n) => [n.phone, n.status, n.attemptsMade, n.lastOutcome, n.nextAttemptAt].join(' ')).join('\n'));
  const as = await listAttempts(t, c.id);
  console.log(as.map((a) => [a.phone, a.status, a.outcome, a.result, a.gender, a.amdVerdict, a.durationSec, a.talkSec, !!a.recordingUrl, a.error].join(' ')).join('\n'));
  console.log(await getCampaign(t, c.id));
  const st = await t.api('GET', `/campaigns/${c.id}/stats`);
  console.log(JSON.stringify(st.body, null, 1));
});
