import { describe, expect, it } from 'vitest';
import type { CampaignProgress } from '../../console/src/api/types';
import ProgressLine from '../../console/src/components/ProgressLine.vue';
import { crmReauth, crmReauthTitle } from '../../console/src/lib/crmReauth';
import { initTexts, mountWithTexts, settle, t } from './support';

/** Small things the console says: which CRM must be renewed and how; a campaign without numbers. */
describe('a CRM connection to renew', () => {
  it('names the CRM and says how it is renewed there', async () => {
    await initTexts();
    expect(crmReauthTitle('amocrm', 'Acme')).toBe(t('console.dashboard.alert_reauth_amocrm', { name: 'Acme' }));
    expect(crmReauthTitle('bitrix24', 'acme.bitrix24.ru')).toBe(t('console.dashboard.alert_reauth_bitrix24', { name: 'acme.bitrix24.ru' }));
    const amo = crmReauth('amocrm', null);
    expect(amo.fix).toContain('Reconnect');
    expect(amo.text).not.toContain('Bitrix24');
    const b24 = crmReauth('bitrix24', 'tokens_missing');
    expect(b24.text).toBe(t('bitrix24.status.tokens_missing'));
    expect(b24.fix).toContain('Bitrix24');
    // A reason the texts do not know falls back to the general one.
    expect(crmReauth('bitrix24', 'something_new').text).toBe(t('bitrix24.status.refresh_rejected'));
  });
});

describe('a campaign without numbers', () => {
  const progress: CampaignProgress = { campaignId: 'x', numbers: {}, total: 0, done: 0, called: 0, reached: 0, remaining: 0, callsPerMinute: 0, etaSec: null };

  it('says there is nothing to call and links to adding numbers, instead of "0 of 0"', async () => {
    const w = await mountWithTexts(ProgressLine, { props: { progress, label: 'p', numbersTo: '/campaigns/x?tab=numbers' } });
    await settle();
    expect(w.text()).toContain(t('console.progress.empty'));
    expect(w.text()).not.toContain(t('console.progress.done_of', { done: 0, total: 0 }));
    expect(w.find('a').attributes('href')).toBe('/campaigns/x?tab=numbers');
    expect(w.find('a').text()).toBe(t('console.progress.add_numbers'));
    w.unmount();
  });

  it('with numbers, the bar and the figures', async () => {
    const w = await mountWithTexts(ProgressLine, { props: { progress: { ...progress, total: 4, done: 1, called: 1, remaining: 3 }, label: 'p' } });
    await settle();
    expect(w.text()).toContain(t('console.progress.done_of', { done: 1, total: 4 }));
    w.unmount();
  });
});
