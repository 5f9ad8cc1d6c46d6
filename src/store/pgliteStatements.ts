import type { PGlite } from '@electric-sql/pglite';
import { serialize } from 'pg-protocol';

/**
 * Named prepared statements for PGlite, one per distinct statement text, the way a server driver's
 * statement cache works (postgres.js, pgx). PGlite's `query()` parses, describes and plans every
 * statement anew in six protocol round trips; the callback of a live call spent two thirds of its
 * 1.5 ms there. A named statement is parsed once; after five runs PostgreSQL may keep a generic
 * plan, and each run is then one Bind/Describe/Execute/Sync exchange.
 *
 * Values arrive as pg's `prepareValue` leaves them (text, or a Buffer for bytea) and are sent as
 * text, as PGlite's own serializers would send them; rows are parsed with the same parsers.
 * Callers hold the pool's mutex, so the session is never shared mid-exchange.
 */
const MAX_STATEMENTS = 500;
/** PostgreSQL refuses to run a cached plan whose result columns changed under it (a table altered). */
const RESULT_TYPE_CHANGED = '0A000';

interface Message {
  name: string;
  fields?: { name: string; dataTypeID: number }[] | (string | null)[];
  text?: string;
}

type Parsers = Record<number, (value: string, type: number) => unknown>;

export interface StatementResult<R> {
  rows: R[];
  /** From the command tag ("UPDATE 3"): 0 for a SELECT, as PGlite's own results say. */
  affectedRows: number;
}

export class PGliteStatements {
  // Insertion order is recency order: a hit moves its text to the end, eviction takes the first.
  private readonly names = new Map<string, string>();
  private counter = 0;

  constructor(private readonly pglite: PGlite) {}

  /** Runs one parameterised statement through its named prepared statement: its rows, and the rows its command changed. */
  async run<R>(text: string, values: readonly unknown[]): Promise<StatementResult<R>> {
    const name = await this.prepare(text);
    try {
      return await this.execute<R>(name, values);
    } catch (e) {
      if ((e as { code?: string }).code !== RESULT_TYPE_CHANGED) throw e;
      // Prepared again from the new table; inside a transaction the error has aborted it anyway.
      await this.forget(text);
      if (this.pglite.isInTransaction()) throw e;
      return this.execute<R>(await this.prepare(text), values);
    }
  }

  private async prepare(text: string): Promise<string> {
    const known = this.names.get(text);
    if (known !== undefined) {
      this.names.delete(text);
      this.names.set(text, known);
      return known;
    }
    const name = `dz_${++this.counter}`;
    // Parse and Sync in one exchange: a statement that does not parse is not remembered.
    await this.pglite.execProtocolStream(Buffer.concat([serialize.parse({ name, text }), serialize.sync()]));
    this.names.set(text, name);
    if (this.names.size > MAX_STATEMENTS) {
      const [oldest] = this.names.keys();
      await this.forget(oldest!);
    }
    return name;
  }

  private async execute<R>(name: string, values: readonly unknown[]): Promise<StatementResult<R>> {
    const messages = (await this.pglite.execProtocolStream(
      Buffer.concat([
        serialize.bind({ statement: name, values: values.map(asText) }),
        serialize.describe({ type: 'P' }),
        serialize.execute({}),
        serialize.sync(),
      ]),
    )) as unknown as Message[];
    // The instance's own parsers: pg's text parsers (installed by the pool) and PGlite's array types.
    const parsers = this.pglite.parsers as Parsers;
    let fields: { name: string; dataTypeID: number }[] = [];
    const rows: R[] = [];
    let affected = 0;
    for (const m of messages) {
      if (m.name === 'rowDescription') fields = m.fields as { name: string; dataTypeID: number }[];
      else if (m.name === 'dataRow') {
        const cells = m.fields as (string | null)[];
        const row: Record<string, unknown> = {};
        for (let i = 0; i < cells.length; i++) {
          const f = fields[i]!;
          const cell = cells[i]!;
          const parse = parsers[f.dataTypeID];
          row[f.name] = cell === null ? null : parse ? parse(cell, f.dataTypeID) : cell;
        }
        rows.push(row as R);
      } else if (m.name === 'commandComplete') affected = affectedRows(m.text ?? '');
    }
    return { rows, affectedRows: affected };
  }

  /** Drops a statement; a failure (an aborted transaction) only leaves it prepared. */
  private async forget(text: string): Promise<void> {
    const name = this.names.get(text);
    if (name === undefined) return;
    this.names.delete(text);
    await this.pglite.execProtocolStream(Buffer.concat([serialize.close({ type: 'S', name }), serialize.sync()])).catch(() => undefined);
  }
}

/** pg's rowCount from a command tag: "UPDATE 3", "INSERT 0 5"; 0 for a tag without a count. */
function affectedRows(tag: string): number {
  const command = tag.slice(0, tag.indexOf(' '));
  if (!['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY'].includes(command)) return 0;
  const n = Number(tag.slice(tag.lastIndexOf(' ') + 1));
  return Number.isFinite(n) ? n : 0;
}

/** Every value in text format; bytea as PostgreSQL's hex input, as PGlite's serializer sends it. */
function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  return String(value);
}
