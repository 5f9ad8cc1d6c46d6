import { describe, expect, it } from 'vitest';
import { apiDomainOf } from '../../../../src/crm/amocrm/oauth/accountDomain.js';

const token = (claims: unknown) => `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe("the access token's api_domain (where a refresh token may ask for its account's address)", () => {
  it('is an amoCRM or Kommo API host over https', () => {
    expect(apiDomainOf(token({ api_domain: 'api-a.amocrm.ru' }), false)).toBe('https://api-a.amocrm.ru');
    expect(apiDomainOf(token({ api_domain: 'API-B.kommo.com' }), false)).toBe('https://api-b.kommo.com');
  });

  it('is refused for any other host, a missing claim or a token that is no JWT', () => {
    expect(apiDomainOf(token({ api_domain: 'api-a.amocrm.ru.evil.example' }), false)).toBeUndefined();
    expect(apiDomainOf(token({ api_domain: 'evil.example' }), false)).toBeUndefined();
    expect(apiDomainOf(token({ api_domain: 'acme.amocrm.ru' }), false)).toBeUndefined();
    expect(apiDomainOf(token({ api_domain: '127.0.0.1:4000' }), false)).toBeUndefined();
    expect(apiDomainOf(token({}), false)).toBeUndefined();
    expect(apiDomainOf('opaque-token', false)).toBeUndefined();
    expect(apiDomainOf('a.!!!.b', false)).toBeUndefined();
  });

  it('is loopback over http only with CRM_ALLOW_HTTP (the emulator)', () => {
    expect(apiDomainOf(token({ api_domain: '127.0.0.1:4000' }), true)).toBe('http://127.0.0.1:4000');
  });
});
