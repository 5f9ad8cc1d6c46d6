import { describe, expect, it } from 'vitest';
import type { RouteRecordRaw } from 'vue-router';
import { CONSOLE_SECTIONS, isConsolePath } from '../../src/http/console/bootConfig';
import { routes } from '../../console/src/router';

/**
 * The server answers the console's page only for `/` and the paths of its sections; the console's
 * router must not have a screen outside them (a reload there would be the server's 404).
 */
function paths(records: RouteRecordRaw[], base = ''): string[] {
  return records.flatMap((r) => {
    const full = r.path.startsWith('/') ? r.path : `${base.replace(/\/$/, '')}/${r.path}`;
    return [full, ...paths(r.children ?? [], full)];
  });
}

describe('console paths', () => {
  it('every screen lies in a section the server serves the console for', () => {
    const screens = paths(routes).filter((p) => !p.includes(':pathMatch'));
    expect(screens.length).toBeGreaterThan(10);
    for (const p of screens) {
      const sample = p.replace(/:(\w+)\??/g, 'x');
      expect(isConsolePath(sample), p).toBe(true);
    }
    const used = new Set(screens.map((p) => p.split('/')[1]).filter(Boolean));
    expect([...used].sort()).toEqual([...CONSOLE_SECTIONS].sort());
  });

  it('machine paths and unknown ones are not the console', () => {
    expect(isConsolePath('/')).toBe(true);
    expect(isConsolePath('/campaigns/42/anything')).toBe(true);
    expect(isConsolePath('/bitrix24')).toBe(true);
    for (const p of ['/bitrix24/app', '/bitrix24/static/x.js', '/api/v1/templates', '/status', '/health', '/no-such-page', '/assets/a.js', '/templatesX']) {
      expect(isConsolePath(p), p).toBe(false);
    }
  });
});
