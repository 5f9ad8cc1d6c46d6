import fs from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Stack traces of the bundled server (dist/, `npm start`) point into src/*.ts. Node's own
 * source-map support (`process.setSourceMapsEnabled`) reads, decodes and indexes a bundle's map as
 * the bundle loads — ~0.1 s of every start for a 2.9 MB map (bench `startup`). Here a map is read
 * the first time a stack trace passes through its file, which for most runs is never.
 *
 * Returns a function that puts back whatever formatted stack traces before (for tests).
 */
export function mapStackTraces(bundleDir: string): () => void {
  const dir = path.resolve(bundleDir) + path.sep;
  const maps = new Map<string, SourceMap | null>();
  const mapOf = (file: string): SourceMap | null => {
    let map = maps.get(file);
    if (map === undefined) {
      map = readMap(file);
      maps.set(file, map);
    }
    return map;
  };
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = (error, frames) => {
    const lines = frames.map((frame) => `\n    at ${mappedFrame(frame, dir, mapOf)}`);
    return `${header(error)}${lines.join('')}`;
  };
  return () => {
    Error.prepareStackTrace = previous;
  };
}

/** The first line V8 itself writes: "TypeError: message". */
function header(error: unknown): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    // An object whose name or message throws when read: V8 falls back the same way.
    return '<error>';
  }
}

function mappedFrame(frame: NodeJS.CallSite, dir: string, mapOf: (file: string) => SourceMap | null): string {
  const text = frame.toString();
  const name = frame.getFileName();
  const line = frame.getLineNumber();
  const column = frame.getColumnNumber();
  if (!name || line === null || column === null) return text;
  const file = name.startsWith('file:') ? fileURLToPath(name) : name;
  if (!file.startsWith(dir)) return text;
  const entry = mapOf(file)?.findEntry(line - 1, column - 1);
  if (!entry || !('originalSource' in entry)) return text;
  const where = `${name}:${line}:${column}`;
  const at = text.lastIndexOf(where);
  if (at < 0) return text;
  return `${text.slice(0, at)}${entry.originalSource}:${entry.originalLine + 1}:${entry.originalColumn + 1}${text.slice(at + where.length)}`;
}

/** `<file>.map` as esbuild writes it beside the file (`sourcemap: 'linked'`), its sources made absolute. */
function readMap(file: string): SourceMap | null {
  const mapFile = `${file}.map`;
  try {
    const payload = JSON.parse(fs.readFileSync(mapFile, 'utf8')) as SourceMapPayload;
    const root = path.resolve(path.dirname(mapFile), payload.sourceRoot ?? '');
    return new SourceMap({ ...payload, sources: payload.sources.map((s) => path.resolve(root, s)) });
  } catch {
    // No map, or not one Node reads: the frame stays as the bundle has it.
    return null;
  }
}
