/// <reference lib="dom" />
import type * as B24Sdk from '@bitrix24/b24jssdk';

/**
 * The portal around the page, through b24jssdk's B24Frame (the page loads the SDK's browser bundle,
 * global `B24Js`, from /bitrix24/static/b24jssdk.js): the postMessage handshake, the user's frame
 * token, frame size, closing the slider, and REST calls that go from the browser straight to the
 * portal with the user's own rights.
 */
export type B24Frame = B24Sdk.B24Frame;

declare global {
  interface Window {
    B24Js?: typeof B24Sdk;
  }
}

export class NotInPortalError extends Error {}

const HANDSHAKE_MS = 15_000;

/** Connects to the portal; a page opened outside a portal frame (or a silent parent) gets `NotInPortalError`. */
export async function connectFrame(): Promise<B24Frame> {
  const sdk = window.B24Js;
  if (!sdk || window.parent === window) throw new NotInPortalError('no portal frame');
  let timer: number | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = window.setTimeout(() => reject(new NotInPortalError('the portal did not answer')), HANDSHAKE_MS);
  });
  try {
    return await Promise.race([sdk.initializeB24Frame(), timeout]);
  } catch (e) {
    if (e instanceof NotInPortalError) throw e;
    const code = (e as { code?: string } | null)?.code;
    // The SDK's own "not in a frame" refusal (no DOMAIN / APP_SID in window.name).
    if (code === 'JSSDK_CLIENT_SIDE_WARNING') throw new NotInPortalError(String((e as Error).message));
    throw e;
  } finally {
    window.clearTimeout(timer);
  }
}

/**
 * Keeps the portal's frame as tall as the page: after every change of the content's height, once
 * the layout settles, `fitWindow()` (`resizeWindow` with the width left at 100%).
 */
export function fitToContent($b24: B24Frame, root: HTMLElement): void {
  let last = -1;
  let scheduled = 0;
  const fit = (): void => {
    scheduled = 0;
    const height = Math.ceil(root.getBoundingClientRect().height + root.offsetTop);
    if (height === last) return;
    last = height;
    $b24.parent.fitWindow().catch(() => undefined);
  };
  const later = (): void => {
    if (!scheduled) scheduled = window.setTimeout(fit, 60);
  };
  if (typeof ResizeObserver === 'function') new ResizeObserver(later).observe(root);
  else window.setInterval(later, 1000);
  fit();
}

/** Closes the slider or popup the portal opened the page in. */
export function closePortalWindow($b24: B24Frame): void {
  $b24.parent.closeApplication().catch(() => undefined);
}

/** A REST call to the portal as the current user; the answer's `result` and `total`. */
export async function portalCall<T>($b24: B24Frame, method: string, params: Record<string, unknown>): Promise<{ result: T; total: number }> {
  const answer = await $b24.actions.v2.call.make<T>({ method, params });
  if (!answer.isSuccess) throw new Error(answer.getErrorMessages().join('; ') || method);
  const data = answer.getData();
  return { result: data?.result as T, total: answer.getTotal() };
}
