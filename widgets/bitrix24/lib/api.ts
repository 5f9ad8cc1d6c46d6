/// <reference lib="dom" />
import type { ApiErrorBody, BaseWidgetConfig } from '../../../src/http/bitrix24/pages/widgetConfig.js';
import type { B24Frame } from './frame.js';
import { t } from './i18n.js';

/**
 * The client of Dozvon's `/bitrix24/api/*`: every request carries the portal user's frame token
 * (`X-B24-Auth`), the portal (`X-B24-Member-Id`, `X-B24-Domain`) and the page's language, so error
 * messages come back in it. An expired token is refreshed through the portal first; a 401 is
 * retried once with a fresh token. Failures become `ApiError` with a message fit to show.
 */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly details: { path: string; message: string }[] = [],
    readonly requestId?: string,
  ) {
    super(message);
  }
}

const TIMEOUT_MS = 30_000;

export class Api {
  constructor(
    private readonly $b24: B24Frame,
    private readonly cfg: Pick<BaseWidgetConfig, 'api' | 'memberId' | 'domain' | 'lang'>,
  ) {}

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  private async token(fresh: boolean): Promise<string> {
    const auth = fresh ? false : this.$b24.auth.getAuthData();
    if (auth && auth.access_token) return auth.access_token;
    const renewed = await this.$b24.auth.refreshAuth();
    return renewed ? (renewed.access_token ?? '') : '';
  }

  private async request<T>(method: string, path: string, body?: unknown, retried = false): Promise<T> {
    let res: Response;
    const controller = new AbortController();
    const timer = window.setTimeout(() => controller.abort(), TIMEOUT_MS);
    try {
      const headers: Record<string, string> = {
        Accept: 'application/json',
        'Accept-Language': this.cfg.lang,
        'X-B24-Auth': await this.token(retried),
        'X-B24-Member-Id': this.cfg.memberId,
        'X-B24-Domain': this.cfg.domain,
      };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      res = await fetch(this.cfg.api + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
        signal: controller.signal,
      });
    } catch {
      throw new ApiError(t('placements.common.network'), 0, 'network');
    } finally {
      window.clearTimeout(timer);
    }
    if (res.status === 401 && !retried) return this.request<T>(method, path, body, true);
    const text = await res.text().catch(() => '');
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.ok) return json as T;
    const err = (json as ApiErrorBody | undefined)?.error;
    if (err && typeof err.message === 'string') {
      throw new ApiError(err.message, res.status, err.code, (err.details ?? []).map((d) => ({ path: d.path, message: d.message })), err.requestId);
    }
    throw new ApiError(t('placements.common.http', { status: res.status }), res.status, 'http');
  }
}
