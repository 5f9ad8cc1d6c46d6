import type { ElementContext, ElementDefinition, ResolvedRedirect } from '../../../../src/scenario/elements/contract.js';
import type { CallMedia } from '../../../../src/scenario/media.js';
import { renderText } from '../../../../src/scenario/variables.js';

export interface ContextOptions {
  media?: CallMedia;
  vars?: Record<string, string>;
  redirect?: ResolvedRedirect;
  signal?: AbortSignal;
  lang?: 'ru' | 'en';
}

/** Runs one element the way the interpreter does: settings parsed by its schema, text rendered with the variables. */
export function runElement<S>(def: ElementDefinition<S>, settings: unknown, o: ContextOptions = {}) {
  const vars = o.vars ?? {};
  const ctx: ElementContext<S> = {
    nodeId: 'node',
    settings: def.settingsSchema.parse(settings),
    lang: o.lang ?? 'en',
    vars,
    media: def.needs === 'media' ? o.media : undefined,
    redirect: o.redirect ?? { kind: 'hangup' },
    signal: o.signal ?? new AbortController().signal,
    render: (text) => renderText(text, vars),
  };
  return def.run(ctx);
}
