import { exists, t } from '../i18n';

/**
 * What to say when a CRM connection must be authorised again, in that CRM's words: a Bitrix24
 * portal is re-authorised by an administrator opening the app; an amoCRM account by an
 * administrator pressing Reconnect in the widget's settings. `crm` is the tenant's kind.
 */
export function crmReauth(crm: string | null | undefined, reason: string | null | undefined): { text: string; fix: string } {
  if (crm === 'amocrm') return { text: t('console.crm.reauth_amocrm'), fix: t('console.fix.crm_needs_reauth_amocrm') };
  if (crm === 'bitrix24') {
    const key = `bitrix24.status.${reason ?? 'refresh_rejected'}`;
    return { text: t(exists(key) ? key : 'bitrix24.status.refresh_rejected'), fix: t('console.fix.crm_needs_reauth_bitrix24') };
  }
  return { text: '', fix: t('console.fix.crm_needs_reauth') };
}

/** The dashboard's title for the alert, naming the CRM. */
export function crmReauthTitle(crm: string | null | undefined, name: string): string {
  return crm === 'amocrm' || crm === 'bitrix24' ? t(`console.dashboard.alert_reauth_${crm}`, { name }) : t('console.dashboard.alert_reauth', { name });
}
