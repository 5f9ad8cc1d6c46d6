/** Text made safe for HTML element content and quoted attributes (the server-rendered pages). */
export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
