/** Where each kind of alert is fixed: the console screen that removes its cause. */
export function fixRoute(kind: string, reason: string | null | undefined, campaignId?: string): string {
  if (kind === 'budget' || reason === 'limits_exhausted') return '/settings/limits';
  if (kind === 'crm_reauth' || reason === 'crm_needs_reauth') return '/settings/crm';
  return campaignId ? `/campaigns/${campaignId}` : '/campaigns';
}
