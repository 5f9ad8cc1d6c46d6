import { describe, expect, it } from 'vitest';
import { translator, type Locale } from '../../../../src/i18n.js';
import { runScenario } from '../../../../src/scenario/interpreter.js';
import { CallAbortedError, type TransferTarget } from '../../../../src/scenario/media.js';
import { recognise, type Branch } from '../../../../src/scenario/recognition.js';
import { starterScenario } from '../../../../src/scenario/starter.js';
import { validateScenario } from '../../../../src/scenario/validate.js';
import { MAGIC_NUMBERS, type CalleeProfile, type Persona } from '../../../../src/voice/sandbox/callees.js';
import { Recorder } from '../../../../src/voice/sandbox/recorder.js';
import { SandboxMedia } from '../../../../src/voice/sandbox/sandboxMedia.js';
import { SimTime } from '../../../../src/voice/sandbox/simTime.js';
import { estimateSpeechMs } from '../../../../src/voice/sandbox/speech/index.js';

const TINY = 1e-4;
const intents: Branch[] = [
  { id: 'yes', intent: 'yes', keywords: [] },
  { id: 'no', intent: 'no', keywords: [] },
  { id: 'later', intent: 'callback', keywords: [] },
];

function line(o: { persona?: Persona; callee?: CalleeProfile; machine?: boolean; lang?: Locale; random?: () => number; signal?: AbortSignal } = {}) {
  const lang = o.lang ?? 'ru';
  const time = new SimTime(TINY);
  const recorder = new Recorder();
  const callee = o.callee ?? { behaviour: 'human', gender: 'female', persona: o.persona ?? 'agree', ringSec: 3 };
  const media = new SandboxMedia({
    time,
    recorder,
    callee,
    machine: o.machine ?? false,
    lang,
    t: translator(lang),
    signal: o.signal ?? new AbortController().signal,
    random: o.random ?? (() => 0),
  });
  return { media, time, recorder, t: translator(lang) };
}
const listen = (media: SandboxMedia, expect: Branch[] = intents) => media.listen({ timeoutSec: 5, hints: [], expect });

describe('SandboxMedia: the bot speaks', () => {
  it('a phrase is recorded as the bot’s speech and takes as long as it would to say', async () => {
    const { media, time, recorder } = line();
    await media.say('Здравствуйте!');
    await media.say('Вам интересно?');
    expect(recorder.segments).toEqual([
      { atMs: 0, kind: 'speech', text: 'Здравствуйте!', voice: 'bot' },
      { atMs: estimateSpeechMs('Здравствуйте!', 'ru'), kind: 'speech', text: 'Вам интересно?', voice: 'bot' },
    ]);
    expect(time.elapsedMs()).toBe(estimateSpeechMs('Здравствуйте!', 'ru') + estimateSpeechMs('Вам интересно?', 'ru'));
  });

  it('aborted midway: the callee hangs up in the middle of a phrase, at that simulated moment', async () => {
    const call = new AbortController();
    const { media, time } = line({ signal: call.signal });
    time.at(1500, () => call.abort(new CallAbortedError('callee_hangup')));
    await expect(media.say('Это очень длинная фраза, которую абонент не дослушает до конца.')).rejects.toMatchObject({ reason: 'callee_hangup' });
    expect(time.elapsedMs()).toBe(1500);
  });
});

describe('SandboxMedia: personas pick the right branches', () => {
  it.each(['ru', 'en'] as const)('an agreeing callee says yes in %s, in their own voice, after a pause', async (lang) => {
    const { media, recorder, time, t } = line({ persona: 'agree', lang });
    const heard = await listen(media);
    expect(heard).toEqual({ text: t('sandbox.callee.yes'), confidence: 0.92 });
    expect(recognise(heard.text, intents)?.id).toBe('yes');
    expect(recorder.segments).toEqual([{ atMs: 600, kind: 'speech', text: heard.text, voice: 'female' }]);
    expect(time.elapsedMs()).toBe(600 + estimateSpeechMs(heard.text, lang));
  });

  it.each(['ru', 'en'] as const)('a declining callee says no in %s', async (lang) => {
    const { media } = line({ persona: 'decline', lang });
    expect(recognise((await listen(media)).text, intents)?.id).toBe('no');
  });

  it('a callee answers a keyword branch with its first keyword', async () => {
    const branches: Branch[] = [
      { id: 'buy', keywords: ['беру', 'покупаю'] },
      { id: 'skip', keywords: ['пропустить'] },
    ];
    expect((await listen(line({ persona: 'agree' }).media, branches)).text).toBe('беру');
    expect((await listen(line({ persona: 'decline' }).media, branches)).text).toBe('пропустить');
  });

  it('without intents, agreeing takes the first branch and declining the last', async () => {
    const branches: Branch[] = [
      { id: 'a', keywords: ['first'] },
      { id: 'b', keywords: ['middle'] },
      { id: 'c', keywords: ['last'] },
    ];
    expect((await listen(line({ persona: 'agree' }).media, branches)).text).toBe('first');
    expect((await listen(line({ persona: 'decline' }).media, branches)).text).toBe('last');
  });

  it('with nothing to expect, a callee still answers in words', async () => {
    const { media, t } = line({ persona: 'agree' });
    expect((await media.listen({ timeoutSec: 5, hints: [] })).text).toBe(t('sandbox.callee.yes'));
  });

  it.each(['ru', 'en'] as const)('an undecided callee hesitates at the first question in %s (nothing recognisable), then picks a branch', async (lang) => {
    const picks = [0, 0.99];
    const { media, t } = line({ persona: 'undecided', lang, random: () => picks.shift() ?? 0 });
    const first = await listen(media);
    expect(first.text).toBe(t('sandbox.callee.undecided'));
    expect(recognise(first.text, intents)).toBeUndefined();
    expect(recognise((await listen(media)).text, intents)?.id).toBe('yes');
    expect(recognise((await listen(media)).text, intents)?.id).toBe('later');
  });

  it('a silent callee says nothing and the bot waits the whole timeout', async () => {
    const { media, time, recorder } = line({ persona: 'silent' });
    expect(await media.listen({ timeoutSec: 7, hints: [], expect: intents })).toEqual({ text: '' });
    expect(time.elapsedMs()).toBe(7000);
    expect(recorder.segments).toEqual([]);
  });

  it('an answering machine never answers, whatever the persona', async () => {
    const { media, time } = line({ persona: 'agree', machine: true });
    expect(await listen(media)).toEqual({ text: '' });
    expect(time.elapsedMs()).toBe(5000);
  });

  it('aborted midway: the callee hangs up while the bot waits for an answer', async () => {
    const call = new AbortController();
    const { media, time } = line({ persona: 'silent', signal: call.signal });
    time.at(2000, () => call.abort(new CallAbortedError('callee_hangup')));
    await expect(listen(media)).rejects.toMatchObject({ reason: 'callee_hangup' });
    expect(time.elapsedMs()).toBe(2000);
  });
});

describe('SandboxMedia: transfer and hang-up', () => {
  const targets: [TransferTarget, string][] = [
    [{ kind: 'phone', number: '+74959898533' }, '+74959898533'],
    [{ kind: 'direction', directionId: 'sales', numbers: ['101', '102'], ringTimeoutSec: 30 }, '101'],
    [{ kind: 'custom', target: 'sip:sales@pbx' }, 'sip:sales@pbx'],
  ];
  it.each(targets)('a transfer to %j rings, an operator answers, and the call is connected', async (target, answeredBy) => {
    const { media, recorder, time, t } = line();
    expect(await media.transfer(target)).toEqual({ connected: true, answeredBy });
    expect(media.transferred).toEqual({ target, connected: true });
    expect(recorder.segments).toEqual([
      { atMs: 0, kind: 'ringback', ms: 3000 },
      { atMs: 3000, kind: 'speech', text: t('sandbox.operator.greeting'), voice: 'operator' },
    ]);
    expect(time.elapsedMs()).toBe(3000 + estimateSpeechMs(t('sandbox.operator.greeting'), 'ru') + 2000);
  });

  it('aborted midway: the callee hangs up while the operator’s phone rings; nobody is connected', async () => {
    const call = new AbortController();
    const { media, time } = line({ signal: call.signal });
    time.at(1000, () => call.abort(new CallAbortedError('callee_hangup')));
    await expect(media.transfer({ kind: 'phone', number: '+74959898533' })).rejects.toMatchObject({ reason: 'callee_hangup' });
    expect(media.transferred).toBeUndefined();
  });

  it('hang-up is remembered and takes no time', async () => {
    const { media, time } = line();
    await media.hangup();
    expect(media.hungUp).toBe(true);
    expect(time.elapsedMs()).toBe(0);
  });
});

describe('SandboxMedia with the starter scenario: the magic numbers reach their branches', () => {
  async function converse(lang: Locale, callee: CalleeProfile, random = () => 0) {
    const r = validateScenario(starterScenario(translator(lang), lang));
    if (!r.ok) throw new Error('starter invalid');
    const call = new AbortController();
    const { media } = line({ callee, lang, random, signal: call.signal });
    return runScenario({
      graph: r.graph,
      vars: { name: lang === 'ru' ? 'Анна' : 'Anna' },
      media,
      redirect: { kind: 'transfer', target: { kind: 'phone', number: '+74959898533' } },
      signal: call.signal,
      loadScenario: async () => undefined,
    });
  }
  const undecided: CalleeProfile = { behaviour: 'human', gender: 'male', persona: 'undecided', ringSec: 3 };
  const silent: CalleeProfile = { behaviour: 'human', gender: 'male', persona: 'silent', ringSec: 3 };

  describe.each(['ru', 'en'] as const)('%s', (lang) => {
    it('…0004 (a woman who agrees) ends "interested" with the tag "positive"', async () => {
      const run = await converse(lang, MAGIC_NUMBERS['0004']!);
      expect(run.end).toEqual({ kind: 'hangup' });
      expect(run.result).toEqual({ code: 'interested', tags: ['positive'] });
    });

    it('…0007 (a man who declines) ends "not_interested" with the tag "negative"', async () => {
      const run = await converse(lang, MAGIC_NUMBERS['0007']!);
      expect(run.result).toEqual({ code: 'not_interested', tags: ['negative'] });
    });

    it('an undecided callee is asked again and then follows the branch they pick', async () => {
      const run = await converse(lang, undecided, () => 2 / 3);
      expect(run.answers.askInterest).toMatchObject({ branch: 'later' });
      expect(run.result).toMatchObject({ code: 'callback', tags: ['callback'] });
    });

    it('a silent callee is handed over to a manager as "no_decision"', async () => {
      const run = await converse(lang, silent);
      expect(run.result).toEqual({ code: 'no_decision', tags: ['unclear'] });
      expect(run.end).toMatchObject({ kind: 'transfer', connected: true });
    });
  });
});
