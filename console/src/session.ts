import { computed, reactive } from 'vue';
import { api, ApiError, onSessionEnded, setToken } from './api/http';
import { startLive, stopLive } from './api/events';
import type { Me } from './api/types';
import { boot, embedded } from './boot';
import { setLang, type Lang } from './i18n';

/**
 * Who is signed in. Standalone, the session token is kept in this browser (localStorage) until
 * sign-out or expiry; inside a CRM the CRM signed the user in and the token lives only in the page.
 * The user's language is theirs (stored on the server), so it follows them to another browser.
 */
const STORAGE_KEY = 'dozvon.session';

export const session = reactive<{ token: string | null; user: Me | null; ended: boolean }>({ token: null, user: null, ended: false });

export const isAdmin = computed(() => session.user?.role === 'admin');
export const signedIn = computed(() => session.user !== null);

function remember(token: string | null): void {
  session.token = token;
  setToken(token);
  if (embedded) return;
  try {
    if (token) localStorage.setItem(STORAGE_KEY, token);
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    // storage disabled: the session lasts as long as the page
  }
}

async function adopt(token: string, user: Me): Promise<void> {
  remember(token);
  session.user = user;
  session.ended = false;
  await setLang(user.locale);
  startLive();
}

/** At start: the CRM's session, or the one this browser kept (if it is still valid). */
export async function restoreSession(): Promise<void> {
  onSessionEnded(() => endSession(true));
  let token: string | null = embedded && boot.mode !== 'standalone' ? boot.token : null;
  if (!token && !embedded) {
    try {
      token = localStorage.getItem(STORAGE_KEY);
    } catch {
      token = null;
    }
  }
  if (!token) return;
  setToken(token);
  try {
    const me = await api.get<Me>('/auth/me');
    await adopt(token, me);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) remember(null);
    else throw e;
  }
}

export async function signIn(email: string, password: string): Promise<void> {
  const r = await api.post<{ token: string; user: Me }>('/auth/login', { email, password });
  await adopt(r.token, r.user);
}

export async function setupFirstAdmin(input: { email: string; name: string; password: string; setupCode: string; locale: Lang }): Promise<void> {
  const r = await api.post<{ token: string; user: Me }>('/setup', input);
  await adopt(r.token, r.user);
}

/** After a password change the server ends older sessions and hands a new token. */
export function replaceToken(token: string): void {
  remember(token);
  stopLive();
  startLive();
}

/** Signs out on the server (the token stops working at once), then here. */
export async function signOut(): Promise<void> {
  try {
    await api.post('/auth/logout');
  } catch {
    // already ended, or the server is older than logout: forget it here all the same
  }
  endSession(false);
}

export function endSession(expired: boolean): void {
  stopLive();
  remember(null);
  session.user = null;
  session.ended = expired;
}

export async function changeMyLanguage(lang: Lang): Promise<void> {
  await setLang(lang);
  if (session.user) {
    const me = await api.patch<Me>('/auth/me', { locale: lang });
    session.user = { ...session.user, locale: me.locale };
  }
}
