import { B24OAuth } from '@bitrix24/b24jssdk';
import qs from 'qs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBitrix24Emulator, type Bitrix24Emulator, type Portal } from './index.js';
import { rest } from './testSupport.js';

interface BatchResult {
  result: Record<string, unknown> | unknown[];
  result_error: Record<string, { error: string; error_description: string }> | unknown[];
  result_total: Record<string, number> | unknown[];
  result_next: Record<string, number> | unknown[];
  result_time: Record<string, Record<string, number>> | unknown[];
}

/** `batch` semantics (brief §3.3, gotcha 18). */
describe('batch', () => {
  let emu: Bitrix24Emulator;
  let portal: Portal;
  let token: string;

  const batch = async (params: Record<string, unknown>) => {
    const res = await rest(portal.clientEndpoint, 'batch', params, token);
    expect(res.status).toBe(200);
    return res.body['result'] as BatchResult;
  };

  beforeAll(async () => {
    emu = await startBitrix24Emulator();
    portal = await emu.createPortal({ rateLimit: null });
    for (let i = 1; i <= 60; i++) portal.addDeal({ title: `D${i}` });
    token = portal.issueTokens().accessToken;
  });

  afterAll(async () => {
    await emu.stop();
  });

  it('keeps going after a failing sub-call with halt=0 and reports it in result_error', async () => {
    const r = await batch({
      halt: 0,
      cmd: { first: 'crm.deal.get?id=1', missing: 'crm.deal.get?id=999', list: `crm.deal.list?${qs.stringify({ filter: { '<ID': 3 }, select: ['ID'] })}` },
    });
    expect(Object.keys(r.result)).toEqual(['first', 'list']);
    expect(r.result_error).toEqual({ missing: { error: '', error_description: 'Not found' } });
    expect(r.result_total).toEqual({ list: 2 });
    expect(r.result_next).toEqual([]);
    expect(Object.keys(r.result_time)).toEqual(['first', 'list']);
    expect(portal.calls('crm.deal.get').slice(-2).map((c) => [c.status, c.batch?.key])).toEqual([[200, 'first'], [400, 'missing']]);
  });

  it('stops at the first failure with halt=1', async () => {
    const r = await batch({ halt: 1, cmd: { a: 'crm.deal.get?id=1', b: 'crm.deal.get?id=999', c: 'crm.deal.get?id=2' } });
    expect(Object.keys(r.result)).toEqual(['a']);
    expect(Object.keys(r.result_error)).toEqual(['b']);
  });

  it('answers PHP lists for list commands and objects for sparse keys; empty maps are []', async () => {
    const ok = await batch({ cmd: ['crm.deal.get?id=1', 'crm.deal.get?id=2'] });
    expect(Array.isArray(ok.result)).toBe(true);
    expect(ok.result_error).toEqual([]);
    const sparse = await batch({ cmd: ['crm.deal.get?id=999', 'crm.deal.get?id=2'] });
    expect(sparse.result).toEqual({ 1: expect.objectContaining({ ID: '2' }) });
    // Key 0 alone is still a PHP list.
    expect(sparse.result_error).toEqual([{ error: '', error_description: 'Not found' }]);
  });

  it('passes results on with $result[key][field] and reports next/total for list sub-calls', async () => {
    const r = await batch({
      cmd: {
        deal: 'crm.deal.add?fields[TITLE]=Chained',
        read: 'crm.deal.get?id=$result[deal]',
        page: 'crm.deal.list?select[]=ID&start=0',
        byTitle: 'crm.deal.list?filter[TITLE]=$result[read][TITLE]&select[]=ID',
      },
    });
    const result = r.result as Record<string, unknown>;
    expect((result['read'] as { TITLE: string }).TITLE).toBe('Chained');
    expect(result['byTitle']).toEqual([{ ID: String(result['deal']) }]);
    expect(r.result_next).toEqual({ page: 50 });
    expect(r.result_total).toMatchObject({ page: 61, byTitle: 1 });
  });

  it('refuses more than 50 commands and nested batches per sub-call', async () => {
    const cmd = Object.fromEntries(Array.from({ length: 52 }, (_, i) => [`k${i}`, 'profile']));
    cmd['k3'] = 'batch?cmd[x]=profile';
    const r = await batch({ cmd });
    const errors = r.result_error as Record<string, { error: string }>;
    expect(errors['k3']?.error).toBe('ERROR_BATCH_METHOD_NOT_ALLOWED');
    expect(errors['k50']?.error).toBe('ERROR_BATCH_LENGTH_EXCEEDED');
    expect(errors['k51']?.error).toBe('ERROR_BATCH_LENGTH_EXCEEDED');
    expect(Object.keys(r.result)).toHaveLength(49);
  });

  it('charges every sub-call to its method and the batch itself nothing', async () => {
    const p = await emu.createPortal({ rateLimit: null });
    p.setMethodCost('profile', 0.5);
    const t = p.issueTokens().accessToken;
    const res = await rest(p.clientEndpoint, 'batch', { cmd: { a: 'profile', b: 'profile' } }, t);
    const time = (res.body['result'] as BatchResult).result_time as Record<string, { operating: number }>;
    expect(time['b']?.operating).toBe(1);
    expect((res.body['time'] as { operating: number }).operating).toBe(0);
    expect(p.operatingUsage('profile').operating).toBe(1);
  });

  it('gives b24jssdk a failed Result for a sub-call error with a code, but not for the empty code of "Not found"', async () => {
    const b24 = new B24OAuth(portal.oauthParams(), { clientId: emu.app.clientId, clientSecret: emu.app.clientSecret });
    const coded = await b24.actions.v2.batch.make({
      calls: { ok: ['crm.deal.get', { id: 1 }], bad: ['crm.deal.update', { id: 1, fields: 'oops' }], scope: ['telephony.externalcall.finish', {}] },
      options: { isHaltOnError: false },
    });
    expect(coded.isSuccess).toBe(false);
    expect(coded.getErrorMessages().join(' ')).toContain('CALL_ID must be a string');
    // Gotcha 18: `{"error":"","error_description":"Not found"}` slips through as a success.
    const empty = await b24.actions.v2.batch.make({ calls: { missing: ['crm.deal.get', { id: 999 }] }, options: { isHaltOnError: false } });
    expect(empty.isSuccess).toBe(true);
  });
});
