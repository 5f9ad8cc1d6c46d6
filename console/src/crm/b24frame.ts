import type * as B24Sdk from '@bitrix24/b24jssdk';
import { boot } from '../boot';

/**
 * The Bitrix24 portal around the console when it runs as the app's page: b24jssdk's B24Frame
 * (its browser bundle, global `B24Js`, is loaded by the server's page only inside Bitrix24, so the
 * standalone console never downloads it). Used to give the frame a working height, to read the
 * portal's pipelines and stages with the user's own rights, and to authenticate the bulk call
 * (`/bitrix24/api/*` takes the user's frame token).
 */
type B24Frame = B24Sdk.B24Frame;
declare global {
  interface Window {
    B24Js?: typeof B24Sdk;
  }
}

let frame: Promise<B24Frame | null> | null = null;

export function b24Frame(): Promise<B24Frame | null> {
  if (boot.mode !== 'bitrix24') return Promise.resolve(null);
  frame ??= (async () => {
    const sdk = window.B24Js;
    if (!sdk || window.parent === window) return null;
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), 15_000));
    try {
      return await Promise.race([sdk.initializeB24Frame(), timeout]);
    } catch {
      return null;
    }
  })();
  return frame;
}

/** The console is a full application page: ask the portal for a frame tall enough for it. */
export async function sizeFrame(height = 960): Promise<void> {
  const $b24 = await b24Frame();
  if (!$b24) return;
  try {
    await $b24.parent.resizeWindow(Math.max(document.body.clientWidth, 1000), height);
  } catch {
    // the portal keeps its own size for the app page: the console scrolls inside it
  }
}

/** A REST call to the portal as the current user. */
export async function portalCall<T>(method: string, params: Record<string, unknown>): Promise<{ result: T; total: number }> {
  const $b24 = await b24Frame();
  if (!$b24) throw new Error('not inside a Bitrix24 portal');
  const answer = await $b24.actions.v2.call.make<T>({ method, params });
  if (!answer.isSuccess) throw new Error(answer.getErrorMessages().join('; ') || method);
  return { result: answer.getData()?.result as T, total: answer.getTotal() };
}

/** Headers of `/bitrix24/api/*`: the user's frame token and the portal's member id. */
export async function frameHeaders(): Promise<Record<string, string>> {
  const $b24 = await b24Frame();
  if (!$b24 || boot.mode !== 'bitrix24') throw new Error('not inside a Bitrix24 portal');
  return { 'X-B24-Auth': $b24.auth.getAuthData() ? String(($b24.auth.getAuthData() as { access_token: string }).access_token) : '', 'X-B24-Member-Id': boot.crm.account, 'X-B24-Domain': boot.crm.domain };
}
