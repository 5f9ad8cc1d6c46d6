import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { buildWidgetZip, WIDGET_LOCALES } from '../../../widgets/amocrm/build/buildWidget.js';
import { LOGO_SIZES } from '../../../widgets/amocrm/build/logo.js';
import { pngSize } from '../../../widgets/amocrm/build/png.js';

/**
 * `widget.zip` against amoCRM's moderation and upload rules (brief §5, gotchas 17 and 18): files at
 * the archive root; manifest with interface_version 2, our locations, a DP block with
 * `action_multiple` and `webhook_url`, a support block, every text key present in each locale, the
 * number of locales equal to the language files; the script an AMD module, readable, not
 * minified; PNG logos at the exact sizes, each under 300 KB.
 */
const files = unzipSync(buildWidgetZip({ url: 'https://dozvon.example.com', supportLink: 'https://dozvon.example.com/help', supportEmail: 'help@dozvon.example.com', version: '1.2.3' }));
const text = (name: string) => Buffer.from(files[name]!).toString('utf8');
const manifest = JSON.parse(text('manifest.json')) as {
  widget: Record<string, unknown> & { locale: string[]; support: { link: string; email: string } };
  locations: string[];
  dp: { settings: Record<string, { name: string; type: string; required: boolean }>; action_multiple: boolean; webhook_url: string };
  tour: { tour_description: string };
  advanced: { title: string };
  settings: Record<string, { name: string }>;
};
const lookup = (obj: unknown, key: string): unknown => key.split('.').reduce<unknown>((n, k) => (n && typeof n === 'object' ? (n as Record<string, unknown>)[k] : undefined), obj);

describe('widget.zip', () => {
  it('has its files at the archive root: manifest, script, style, i18n, images', () => {
    const names = Object.keys(files).sort();
    expect(names).toContain('manifest.json');
    expect(names).toContain('script.js');
    expect(names).toContain('style.css');
    expect(names.every((n) => !n.startsWith('/') && !/^[^/]+\/manifest\.json$/.test(n))).toBe(true);
    expect(names.filter((n) => n.startsWith('i18n/')).sort()).toEqual(WIDGET_LOCALES.map((l) => `i18n/${l}.json`).sort());
  });

  it('the manifest: interface 2, the five locations, DP with the webhook, support, version', () => {
    expect(manifest.widget).toMatchObject({ interface_version: 2, version: '1.2.3', name: 'widget.name', description: 'widget.description', short_description: 'widget.short_description' });
    expect(manifest.locations).toEqual(['lcard-1', 'llist-1', 'settings', 'advanced_settings', 'digital_pipeline']);
    expect(manifest.dp.action_multiple).toBe(false);
    expect(manifest.dp.webhook_url).toBe('https://dozvon.example.com/amocrm/dp');
    expect(Object.keys(manifest.dp.settings).sort()).toEqual(['dp_key', 'max_attempts', 'template_id']);
    expect(manifest.widget.support).toEqual({ link: 'https://dozvon.example.com/help', email: 'help@dozvon.example.com' });
  });

  it('as many locales as language files, and every text key the manifest names exists in each', () => {
    expect([...manifest.widget.locale].sort()).toEqual([...WIDGET_LOCALES].sort());
    const keys = [
      manifest.widget.name,
      manifest.widget.description,
      manifest.widget.short_description,
      manifest.tour.tour_description,
      manifest.advanced.title,
      ...Object.values(manifest.dp.settings).map((s) => s.name),
      ...Object.values(manifest.settings).map((s) => s.name),
    ] as string[];
    for (const lng of manifest.widget.locale) {
      const i18n = JSON.parse(text(`i18n/${lng}.json`)) as unknown;
      for (const k of keys) expect(typeof lookup(i18n, k), `${lng}: ${k}`).toBe('string');
      expect(lookup(i18n, 'dozvon.lang')).toBe(lng);
    }
  });

  it('every text the script asks for exists in each language', () => {
    const script = text('script.js');
    // Keys named literally (`t.t('key'…`); the ones built at run time are the status family and the call view's genders below.
    const asked = [...new Set([...script.matchAll(/\b(?:t|texts)\.t\('([a-z_.]+)'[,)]/g)].map((m) => m[1]!))];
    expect(asked.length).toBeGreaterThan(40);
    for (const lng of WIDGET_LOCALES) {
      const dozvon = lookup(JSON.parse(text(`i18n/${lng}.json`)), 'dozvon');
      expect(asked.filter((k) => typeof lookup(dozvon, k) !== 'string'), lng).toEqual([]);
      for (const s of ['running', 'paused', 'completed', 'scheduled']) expect(typeof lookup(dozvon, `status.${s}`)).toBe('string');
      for (const g of ['female', 'male', 'unknown']) expect(typeof lookup(dozvon, `call.genders.${g}`)).toBe('string');
    }
  });

  it('the script is a readable AMD module calling Dozvon at the built address', () => {
    const script = text('script.js');
    expect(script).toMatch(/^\/\*[\s\S]*?\*\/\s*define\(\[\], function \(\) \{/);
    expect(script).toContain("var DOZVON_URL = 'https://dozvon.example.com';");
    expect(script).not.toContain('__DOZVON_URL__');
    for (const cb of ['render:', 'init:', 'bind_actions:', 'settings:', 'onSave:', 'destroy:', 'dpSettings:', 'advancedSettings:', 'selected:']) expect(script).toContain(cb);
    // Not minified: many short, indented lines and comments.
    const lines = script.split('\n');
    expect(lines.length).toBeGreaterThan(300);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(260);
    expect(script.length / lines.length).toBeLessThan(80);
    expect(lines.filter((l) => /^\s{2,}/.test(l)).length / lines.length).toBeGreaterThan(0.7);
    expect((script.match(/\/\*\*|\/\/ /g) ?? []).length).toBeGreaterThan(15);
  });

  it('the logos are PNGs at the sizes amoCRM asks for, each under 300 KB', () => {
    for (const [name, [w, h]] of Object.entries(LOGO_SIZES)) {
      const png = files[`images/${name}`];
      expect(png, name).toBeDefined();
      expect(pngSize(png!), name).toEqual({ width: w, height: h });
      expect(png!.length, name).toBeLessThan(300 * 1024);
    }
    expect(Object.keys(LOGO_SIZES)).toEqual(expect.arrayContaining(['logo_min.png', 'logo_medium.png', 'logo_dp.png']));
  });

  it('is the same archive for the same sources (a fixed date inside)', () => {
    const o = { url: 'https://dozvon.example.com', supportLink: 'https://dozvon.example.com/help', supportEmail: 'help@dozvon.example.com', version: '1.2.3' };
    expect(Buffer.from(buildWidgetZip(o)).equals(Buffer.from(buildWidgetZip(o)))).toBe(true);
  });

  it('refuses an address that is not an origin', () => {
    expect(() => buildWidgetZip({ url: 'https://dozvon.example.com/sub/path', supportLink: 'x', supportEmail: 'y', version: '1' })).toThrow(/origin/);
  });
});
