/**
 * `{variable}` placeholders in texts. `{name|fallback}` speaks the fallback when the variable is empty.
 * Variable names: a letter first, then letters, digits, `_` (no dots: dots would clash with CRM paths).
 */
export const VARIABLE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_]{0,63})(?:\|([^{}]*))?\}/g;

/** Variables every call has without declaring them. */
export const SYSTEM_VARIABLES = ['phone', 'attempt'] as const;

export function variablesIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

export function renderText(text: string, vars: Readonly<Record<string, string>>): string {
  return text
    .replace(PLACEHOLDER, (_all, name: string, fallback: string | undefined) => {
      const v = vars[name];
      return v !== undefined && v !== '' ? v : (fallback ?? '');
    })
    .replace(/\s{2,}/g, ' ')
    .trim();
}
