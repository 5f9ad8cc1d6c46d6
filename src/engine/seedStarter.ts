import type { TemplateSettingsInput } from '../core/template.js';
import type { AppContext } from '../context.js';
import { translator } from '../i18n.js';
import { starterScenario } from '../scenario/starter.js';
import { listVersioned, SCENARIOS } from '../store/repositories/versioned.js';
import { createScenario } from './catalog/scenarios.js';
import { createTemplate } from './catalog/templates.js';

/**
 * A new tenant (the console, a Bitrix24 portal, an amoCRM account) gets the starter scenario and a
 * template using it, in its language, so the first robot or test call works without setup.
 * Does nothing if the tenant already has scenarios (re-install, restart).
 */
export async function seedStarter(ctx: AppContext, tenantId: string, lang: 'ru' | 'en'): Promise<{ templateId: string } | undefined> {
  if ((await listVersioned(ctx.db, SCENARIOS, tenantId)).length > 0) return undefined;
  const t = translator(lang);
  const scenario = await createScenario(ctx, tenantId, null, starterScenario(t, lang));
  const settings: TemplateSettingsInput = {
    name: t('starter.template_name'),
    description: t('starter.template_description'),
    scenarioId: scenario.id,
    amd: { mode: 'background', greetingId: null },
    intensity: 1,
    callingWindow: { from: '09:00', to: '21:00' },
    country: lang === 'ru' ? 'RU' : 'US',
    genderDetection: true,
    redial: {
      mode: 'inline',
      rules: {
        busy: { delayMinutes: 15, from: 'start', maxCount: 2 },
        noAnswer: { delayMinutes: 60, from: 'start', maxCount: 2 },
        failure: { delayMinutes: 5, from: 'start', maxCount: 3 },
      },
    },
  };
  const template = await createTemplate(ctx, tenantId, null, settings);
  return { templateId: template.id };
}
