import type { z } from 'zod';
import type { CallMedia, TransferTarget } from '../media.js';
import type { Branch } from '../recognition.js';

/** The template's default redirect (T6) resolved for one call, as the transfer element sees it. */
export type ResolvedRedirect =
  | { kind: 'hangup' }
  | { kind: 'transfer'; target: TransferTarget }
  | { kind: 'scenario'; scenarioId: string };

export interface ExitSpec {
  name: string;
  /** A required exit must be connected; an optional one, when taken unconnected, ends the call. */
  required: boolean;
}

/** What an element gets to do its work: only what it declared it needs. */
export interface ElementContext<S> {
  nodeId: string;
  settings: S;
  lang: 'ru' | 'en';
  /** Current variables (read-only: an element returns new values, it never mutates). */
  vars: Readonly<Record<string, string>>;
  /** Present when the element declared `needs: 'media'`. */
  media: CallMedia | undefined;
  redirect: ResolvedRedirect;
  signal: AbortSignal;
  /** Text with {variables} substituted. */
  render(text: string): string;
}

export interface ScenarioResult {
  /** Machine code of the result, e.g. "interested" (returned to CRM automation). */
  code: string;
  tags: string[];
  /** The scenario asks for another call after so many minutes. */
  redialAfterMinutes?: number | undefined;
}

export interface CollectedAnswer {
  question: string;
  text: string;
  /** The branch taken, or "noMatch" / "noInput". */
  branch: string;
}

/** What running an element produced: a value, never a mutation of the call. */
export interface ElementOutcome {
  /** The exit taken; absent for terminal elements. */
  exit?: string;
  setVars?: Record<string, string>;
  result?: ScenarioResult;
  answer?: CollectedAnswer;
  /** The call ended here (hang-up or transfer). */
  end?: { kind: 'hangup' } | { kind: 'transfer'; target: TransferTarget; connected: boolean } | { kind: 'switch_scenario'; scenarioId: string };
  /** Short human detail for the step log. */
  detail?: string;
}

export interface ElementDefinition<S = unknown> {
  /** Stable type id stored in scenarios; never renamed. */
  type: string;
  /** SPEC id of the element (M…). */
  spec: string;
  settingsSchema: z.ZodType<S>;
  needs: 'none' | 'media';
  exits(settings: S): ExitSpec[];
  /** Variables the element reads (so a scenario using an undeclared one is refused on save). */
  variablesUsed(settings: S): string[];
  /** Variables the element produces. */
  variablesSet(settings: S): string[];
  /** Waits for the callee: a cycle through such an element is not an endless loop. */
  waitsForCallee?: boolean;
  run(ctx: ElementContext<S>): Promise<ElementOutcome>;
  /** Branches for recognition, when the element asks a question (used by the sandbox's callee). */
  branches?(settings: S): Branch[];
}

export function defineElement<S>(def: ElementDefinition<S>): ElementDefinition<S> {
  return def;
}
