import { describe, expect, it } from 'vitest';
import { filterQuery } from '../../../../src/crm/amocrm/intake/filterSpec.js';
import { isAccountOrigin, parseAccountHost, parseAccountUrl } from '../../../../src/crm/amocrm/platform.js';
import { CALL_STATUS } from '../../../../src/crm/amocrm/writeback/callTexts.js';
import { OUTCOMES } from '../../../../src/core/outcome.js';

/** Where accounts may live: Dozvon sends tokens there, so nothing else may ever be named (brief §8). */
describe('account hosts', () => {
  it.each([
    ['acme.amocrm.ru', 'amocrm', 'acme'],
    ['ACME.amocrm.ru', 'amocrm', 'acme'],
    ['my-shop.kommo.com', 'kommo', 'my-shop'],
    ['old.amocrm.com', 'kommo', 'old'],
  ])('%s is an account of %s', (host, platform, subdomain) => {
    expect(parseAccountHost(host, false)).toEqual({ host: host.toLowerCase(), baseUrl: `https://${host.toLowerCase()}`, platform, subdomain });
  });

  it.each(['amocrm.ru', 'www.amocrm.ru.evil.com', 'acme.amocrm.ru.evil.com', 'acme.amocrm.ru:8443', 'evil.com', 'a.b.amocrm.ru', '127.0.0.1:8080', '10.0.0.1', 'acme.kommo.com/path', ''])('%s is refused', (host) => {
    expect(parseAccountHost(host, false)).toBeUndefined();
  });

  it('loopback only with CRM_ALLOW_HTTP, over http, its platform left to the integration', () => {
    expect(parseAccountHost('127.0.0.1:4711', true)).toEqual({ host: '127.0.0.1:4711', baseUrl: 'http://127.0.0.1:4711', platform: null, subdomain: null });
    expect(parseAccountUrl('http://127.0.0.1:4711', true)?.host).toBe('127.0.0.1:4711');
    expect(parseAccountUrl('https://127.0.0.1:4711', true)).toBeUndefined();
    expect(parseAccountUrl('http://127.0.0.1:4711', false)).toBeUndefined();
  });

  it('a token issuer must be exactly the account address over https', () => {
    expect(parseAccountUrl('https://acme.amocrm.ru', false)?.platform).toBe('amocrm');
    expect(parseAccountUrl('https://acme.amocrm.ru/', false)?.platform).toBe('amocrm');
    for (const bad of ['http://acme.amocrm.ru', 'https://acme.amocrm.ru/api', 'https://user@acme.amocrm.ru', 'https://acme.amocrm.ru?x=1', 'not a url']) {
      expect(parseAccountUrl(bad, false), bad).toBeUndefined();
    }
  });

  it('CORS origins are the account pages', () => {
    expect(isAccountOrigin('https://acme.kommo.com', false)).toBe(true);
    expect(isAccountOrigin('https://evil.com', false)).toBe(false);
    expect(isAccountOrigin('null', false)).toBe(false);
  });
});

describe('filters and call statuses', () => {
  it('a stage filter becomes amoCRM statuses pairs; a pipeline alone its pipeline filter', () => {
    expect(filterQuery({ pipeline_id: 7, status_ids: [11, 12] })).toBe('filter[statuses][0][pipeline_id]=7&filter[statuses][0][status_id]=11&filter[statuses][1][pipeline_id]=7&filter[statuses][1][status_id]=12');
    expect(filterQuery({ pipeline_id: 7, responsible_user_ids: [3], query: 'Иван & Co' })).toBe(`filter[pipeline_id][]=7&filter[responsible_user_id][]=3&query=${encodeURIComponent('Иван & Co')}`);
  });

  it('every outcome maps to one of amoCRM\'s call statuses (1–8)', () => {
    for (const o of OUTCOMES) expect(CALL_STATUS[o]).toBeGreaterThanOrEqual(1);
    expect(CALL_STATUS.human).toBe(4);
    expect(CALL_STATUS.busy).toBe(7);
  });
});
