/** Text made safe for HTML element content and quoted attributes (the server-rendered pages). */
export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JSON for a `<script type="application/json">` block: `<` escaped so no text can close the tag. */
export const jsonBlock = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');
