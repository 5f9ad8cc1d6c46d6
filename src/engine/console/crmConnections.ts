import type { AppContext } from '../../context.js';
import { findTenant } from '../../store/repositories/tenants.js';

/**
 * The CRM connections page of the console. Each Bitrix24 portal and amoCRM account is a tenant of
 * its own, so an account sees only its own connection: inside a portal, that portal's state (and
 * why it needs to be authorised again), its robots against its templates; in the standalone console,
 * which CRM adapters this server has switched on and the addresses to register in the CRM.
 */
export interface CrmConnections {
  account: { kind: 'console' | 'bitrix24' | 'amocrm'; name: string; status: string; statusReason: string | null };
  bitrix24: {
    configured: boolean;
    handlerUrl: string;
    installUrl: string;
    portal: { domain: string; installedAt: string | null; robots: number; templates: number } | null;
  };
  amocrm: { configured: boolean; redirectUri: string };
}

export async function crmConnections(app: AppContext, tenantId: string): Promise<CrmConnections> {
  const tenant = await findTenant(app.db, tenantId);
  const base = app.publicUrl();
  let portal: CrmConnections['bitrix24']['portal'] = null;
  if (tenant?.kind === 'bitrix24') {
    const r = await app.db.query<{ domain: string; installed_at: Date | null; robots: string; templates: string }>(
      `SELECT p.domain, p.installed_at,
         (SELECT count(*) FROM b24_robots r WHERE r.tenant_id = p.tenant_id AND r.registered_at IS NOT NULL AND r.deleted_at IS NULL) AS robots,
         (SELECT count(*) FROM templates t WHERE t.tenant_id = p.tenant_id AND t.deleted_at IS NULL) AS templates
       FROM b24_portals p WHERE p.tenant_id = $1`,
      [tenantId],
    );
    const p = r.rows[0];
    if (p) portal = { domain: p.domain, installedAt: p.installed_at?.toISOString() ?? null, robots: Number(p.robots), templates: Number(p.templates) };
  }
  return {
    account: { kind: tenant?.kind ?? 'console', name: tenant?.name ?? '', status: tenant?.status ?? 'active', statusReason: tenant?.statusReason ?? null },
    bitrix24: {
      configured: Boolean(app.config.bitrix24.clientId && app.config.bitrix24.clientSecret),
      handlerUrl: `${base}/bitrix24/app`,
      installUrl: `${base}/bitrix24/install`,
      portal,
    },
    amocrm: { configured: Boolean(app.config.amocrm.clientId && app.config.amocrm.clientSecret), redirectUri: app.config.amocrm.redirectUri ?? `${base}/amocrm/oauth` },
  };
}
