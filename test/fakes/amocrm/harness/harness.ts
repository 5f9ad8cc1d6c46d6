import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccountCore } from '../account.js';
import { sendText } from '../http.js';

/** Placeholder until the browser harness exists. */
export async function handleHarness(_core: AccountCore, _req: IncomingMessage, res: ServerResponse, _url: URL): Promise<void> {
  sendText(res, 404, 'Not found', 'text/plain');
}
