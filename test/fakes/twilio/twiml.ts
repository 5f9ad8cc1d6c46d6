import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * Strict TwiML parsing for the emulator: well-formed XML, a `<Response>` root, and only the verbs
 * and nouns the provider knows. Anything else fails the call the way the provider does (Twilio
 * logs error 12100 "Document parse failure" and hangs up).
 */
export interface Verb {
  name: string;
  attrs: Record<string, string>;
  text: string;
  children: Verb[];
}

export class TwimlError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'TwimlError';
  }
}

const VERBS = new Set(['Say', 'Play', 'Pause', 'Gather', 'Dial', 'Hangup', 'Redirect', 'Start', 'Reject']);
const NESTED: Record<string, Set<string>> = {
  Gather: new Set(['Say', 'Play', 'Pause']),
  Dial: new Set(['Number', 'Sip', 'Client']),
  Start: new Set(['Recording', 'Stream']),
};

const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', trimValues: true, parseTagValue: false, parseAttributeValue: false });

type Node = Record<string, unknown> & { ':@'?: Record<string, string> };

function toVerb(node: Node): Verb | undefined {
  const name = Object.keys(node).find((k) => k !== ':@');
  if (!name || name === '#text') return undefined;
  const body = (node[name] as Node[]) ?? [];
  const text = body
    .filter((c) => '#text' in c)
    .map((c) => String(c['#text']))
    .join('');
  const children = body.map(toVerb).filter((v): v is Verb => v !== undefined);
  return { name, attrs: node[':@'] ?? {}, text, children };
}

export function parseTwiml(xml: string): Verb[] {
  if (XMLValidator.validate(xml) !== true) throw new TwimlError(12100, 'Document parse failure');
  const doc = (parser.parse(xml) as Node[]).map(toVerb).filter((v): v is Verb => v !== undefined && v.name !== '?xml');
  const root = doc[0];
  if (!root || root.name !== 'Response' || doc.length !== 1) throw new TwimlError(12100, 'Document parse failure: the root must be <Response>');
  for (const v of root.children) {
    if (!VERBS.has(v.name)) throw new TwimlError(12100, `unknown verb <${v.name}>`);
    const allowed = NESTED[v.name];
    for (const c of v.children) if (!allowed?.has(c.name)) throw new TwimlError(12100, `<${c.name}> is not allowed in <${v.name}>`);
  }
  return root.children;
}
