import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENDERS, OUTCOMES } from '../../../src/core/outcome.js';
import { BOUND_EVENTS, PLACEMENTS, USER_FIELDS } from '../../../src/crm/bitrix24/install/appBindings.js';
import { PENDING_OUTCOME, RETURN_VALUE_KEYS, ROBOT_PROPERTY_KEYS } from '../../../src/crm/bitrix24/robots/robotDefinition.js';
import { APP_TRIGGERS } from '../../../src/crm/bitrix24/triggers/appTriggers.js';

/** manifest/bitrix24.json is documentation people copy into the portal's app form: it must say what the code does. */
const manifest = JSON.parse(fs.readFileSync('manifest/bitrix24.json', 'utf8')) as {
  events: { bound: string[] };
  robots: { properties: string[]; returnProperties: string[]; outcomes: string[]; genders: string[] };
  triggers: Record<string, string>;
  placements: Record<string, string>;
  userFields: { fields: Record<string, string> };
};

describe('manifest/bitrix24.json', () => {
  it('lists the events, robot properties and return values the code declares', () => {
    expect(manifest.events.bound).toEqual([...BOUND_EVENTS]);
    expect(manifest.robots.properties).toEqual([...ROBOT_PROPERTY_KEYS]);
    expect(manifest.robots.returnProperties).toEqual([...RETURN_VALUE_KEYS]);
    expect(manifest.robots.outcomes).toEqual([...OUTCOMES, PENDING_OUTCOME]);
    expect(manifest.robots.genders).toEqual([...GENDERS]);
  });

  it('lists the app triggers (with the locale keys of their names)', () => {
    expect(manifest.triggers).toEqual(Object.fromEntries(APP_TRIGGERS.map((x) => [x.code, x.nameKey])));
  });

  it('lists the placements and user fields the install page binds', () => {
    expect(manifest.placements).toEqual(Object.fromEntries(PLACEMENTS.map((p) => [p.code, `$PUBLIC_URL/bitrix24/placement/${p.page}`])));
    expect(manifest.userFields.fields).toEqual(Object.fromEntries(USER_FIELDS.map((f) => [f.fieldName, f.type])));
  });
});
