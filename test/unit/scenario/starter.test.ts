import { describe, expect, it } from 'vitest';
import { translator, type Locale } from '../../../src/i18n.js';
import { runScenario } from '../../../src/scenario/interpreter.js';
import { starterScenario } from '../../../src/scenario/starter.js';
import { validateScenario } from '../../../src/scenario/validate.js';
import type { ScenarioGraph } from '../../../src/scenario/schema.js';
import { FakeMedia } from './support/fakeMedia.js';

function starter(lang: Locale): ScenarioGraph {
  const r = validateScenario(starterScenario(translator(lang), lang));
  if (!r.ok) throw new Error(`the ${lang} starter scenario is invalid: ${JSON.stringify(r.issues)}`);
  return r.graph;
}

async function call(lang: Locale, answers: string[], vars: Record<string, string> = {}) {
  const media = new FakeMedia({ answers });
  const run = await runScenario({
    graph: starter(lang),
    vars,
    media,
    redirect: { kind: 'hangup' },
    signal: new AbortController().signal,
    loadScenario: async () => undefined,
  });
  return { run, media };
}

describe.each(['ru', 'en'] as const)('starter scenario (%s)', (lang) => {
  it('is valid', () => {
    expect(validateScenario(starterScenario(translator(lang), lang))).toMatchObject({ ok: true });
  });

  it('is in its language, with every text translated', () => {
    const graph = starter(lang);
    expect(graph.language).toBe(lang);
    const texts = JSON.stringify(graph);
    expect(texts).not.toMatch(/"starter\./);
    if (lang === 'ru') expect(graph.name).toMatch(/[а-я]/i);
    else expect(graph.name).toMatch(/^[\x20-\x7e]+$/);
  });

  const positive = { ru: 'Да, интересно', en: "Yes, I'm interested" }[lang];
  const negative = { ru: 'Нет, спасибо, не интересно', en: 'No thanks, not interested' }[lang];
  const later = { ru: 'Перезвоните позже', en: 'Call me back later' }[lang];

  it('its positive path ends with the result "interested" and the tag "positive"', async () => {
    const { run, media } = await call(lang, [positive], { name: lang === 'ru' ? 'Анна' : 'Anna' });
    expect(run.end).toEqual({ kind: 'hangup' });
    expect(run.result).toEqual({ code: 'interested', tags: ['positive'] });
    expect(run.steps.map((s) => s.nodeId)).toEqual(['start', 'hasName', 'greetByName', 'askInterest', 'resultInterested', 'byeInterested']);
    expect(media.said[0]).toContain(lang === 'ru' ? 'Анна' : 'Anna');
    expect(run.vars.interestAnswer).toBe(positive);
  });

  it('a lead without a name is greeted without one, and the product falls back to the default wording', async () => {
    const { run, media } = await call(lang, [positive]);
    expect(run.steps.map((s) => s.nodeId)).toContain('greet');
    expect(media.said[0]).toBe(translator(lang)('starter.greet').replace(/\{product\|([^}]*)\}/, '$1'));
  });

  it('a refusal ends with "not_interested" and the tag "negative"', async () => {
    const { run } = await call(lang, [negative]);
    expect(run.result).toEqual({ code: 'not_interested', tags: ['negative'] });
  });

  it('"call me back" ends with "callback"', async () => {
    const { run } = await call(lang, [later]);
    expect(run.result).toMatchObject({ code: 'callback', tags: ['callback'] });
  });

  it('silence is asked again, then handed over by the template’s redirect with "no_decision"', async () => {
    const { run, media } = await call(lang, []);
    expect(run.result).toEqual({ code: 'no_decision', tags: ['unclear'] });
    expect(run.steps.at(-1)?.nodeId).toBe('handOver');
    expect(media.said).toContain(translator(lang)('starter.reprompt'));
    expect(media.listens).toHaveLength(2);
  });
});
