import { decodeBatch, encodeCommand, prefixRefs, type Command, type CommandOutcome } from './batchCodec.js';
import { isB24Error } from './b24Error.js';
import { postToBitrix, type TransportOptions } from './transport.js';

/**
 * Puts queued units of work on the wire as one HTTP request: a lone command as a plain method
 * call, anything more as one `batch` (≤ 50 commands, `halt=0` so one unit's failure never stops
 * another's). Each unit's commands get a key prefix, and `$result[...]` references inside a unit
 * are renamed with it, so chained reads (the `>ID` paging) survive being packed with other units.
 */
export interface Unit {
  commands: Command[];
  /** Local keys of the commands (what `$result[<key>]` references in this unit name). */
  keys: string[];
}

export const MAX_BATCH = 50;

/** Each unit's outcomes, command by command. */
export async function sendUnits(clientEndpoint: string, accessToken: string, units: Unit[], o: TransportOptions): Promise<CommandOutcome[][]> {
  const lone = units.length === 1 && units[0]!.commands.length === 1 ? units[0]!.commands[0]! : undefined;
  if (lone) {
    try {
      const env = await postToBitrix(`${clientEndpoint}${lone.method}`, { json: { ...lone.params, auth: accessToken } }, o);
      return [[{ ok: true, result: env.result, total: env.total, next: env.next, time: env.time }]];
    } catch (e) {
      // The method's own refusal is this command's outcome, as it would be inside a batch;
      // limits, auth and transport failures concern the request and go back to the queue.
      if (isB24Error(e) && e.kind === 'final' && e.status !== 0) return [[{ ok: false, error: e }]];
      throw e;
    }
  }
  const cmd: Record<string, string> = {};
  const keysPerUnit = units.map((u, ui) => {
    const prefix = `u${ui}_`;
    return u.commands.map((c, ci) => {
      const key = `${prefix}${u.keys[ci] ?? `c${ci}`}`;
      cmd[key] = encodeCommand({ method: c.method, params: prefixRefs(c.params, prefix) as Record<string, unknown> });
      return key;
    });
  });
  const env = await postToBitrix(`${clientEndpoint}batch`, { json: { halt: 0, cmd, auth: accessToken } }, o);
  const decoded = decodeBatch(env.result, Object.keys(cmd));
  return keysPerUnit.map((keys) => keys.map((k) => decoded.get(k)!));
}
