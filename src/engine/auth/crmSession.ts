import type { AppContext } from '../../context.js';
import { upsertExternalUser, type User } from '../../store/repositories/users.js';
import { resumeOrStartSession, type ClientInfo } from './sessions.js';

/**
 * A CRM user opening the console inside their CRM (the Bitrix24 app page, the amoCRM widget's
 * settings page): the CRM has already said who they are, so they get a console session of their
 * shadow account in the CRM's tenant — created on the first visit, name and role kept in step with
 * the CRM on every visit (portal administrators are console administrators). No password exists.
 */
export interface CrmUser {
  tenantId: string;
  crm: 'bitrix24' | 'amocrm';
  /** The CRM's own user id. */
  crmUserId: string;
  name: string;
  isAdmin: boolean;
  /** The language of the first visit; later the user's own choice is kept. */
  locale: 'ru' | 'en';
}

export async function crmConsoleSession(app: AppContext, u: CrmUser, client: ClientInfo = {}): Promise<{ token: string; sessionId: string; user: User }> {
  const user = await upsertExternalUser(app.db, {
    tenantId: u.tenantId,
    externalId: `${u.crm}:${u.crmUserId}`,
    name: u.name.trim().slice(0, 120) || `${u.crm} #${u.crmUserId}`,
    role: u.isAdmin ? 'admin' : 'manager',
    locale: u.locale,
  });
  await app.db.query('UPDATE users SET last_login_at = $2 WHERE id = $1', [user.id, app.clock.now()]);
  // A session row like a sign-in's: listed on the user's profile, ended there or by logout. Opened
  // again from the same browser, the CRM page resumes it instead of starting one per opening.
  const { token, sessionId } = await resumeOrStartSession(app.db, app.keys.session, user, client);
  return { token, sessionId, user };
}
