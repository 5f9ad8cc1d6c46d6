import type { TFunction } from 'i18next';
import { sampleAnswer, type Branch } from '../../scenario/recognition.js';
import type { CallMedia, Heard, TransferResult, TransferTarget } from '../../scenario/media.js';
import { transferTargetOf, type CalleeProfile } from './callees.js';
import type { Recorder } from './recorder.js';
import type { SimTime } from './simTime.js';
import { estimateSpeechMs } from './speech/index.js';

/**
 * The line as the scenario hears it in the sandbox: the bot's words are "played" for as long as
 * they would take to say, and a simulated callee answers according to its persona.
 */
export class SandboxMedia implements CallMedia {
  private questionsAsked = 0;
  hungUp = false;
  transferred: { target: TransferTarget; connected: boolean } | undefined;

  constructor(
    private readonly o: {
      time: SimTime;
      recorder: Recorder;
      callee: CalleeProfile;
      /** The callee is an answering machine the bot talks to (AMD off). */
      machine: boolean;
      lang: 'ru' | 'en';
      t: TFunction;
      signal: AbortSignal;
      /** Random 0..1 for undecided callees, seeded by the platform. */
      random: () => number;
    },
  ) {}

  async say(text: string): Promise<void> {
    this.o.recorder.add({ atMs: this.o.time.elapsedMs(), kind: 'speech', text, voice: 'bot' });
    await this.o.time.sleep(estimateSpeechMs(text, this.o.lang), this.o.signal);
  }

  /** Silence on the line (a pause, or the time a played file takes). */
  async pause(seconds: number): Promise<void> {
    await this.o.time.sleep(seconds * 1000, this.o.signal);
  }

  async listen(opts: { timeoutSec: number; hints: string[]; expect?: Branch[] }): Promise<Heard> {
    const reply = this.reply(opts.expect ?? []);
    if (!reply) {
      await this.o.time.sleep(opts.timeoutSec * 1000, this.o.signal);
      return { text: '' };
    }
    await this.o.time.sleep(600, this.o.signal);
    const voice = this.o.callee.gender;
    this.o.recorder.add({ atMs: this.o.time.elapsedMs(), kind: 'speech', text: reply, voice });
    await this.o.time.sleep(estimateSpeechMs(reply, this.o.lang), this.o.signal);
    return { text: reply, confidence: 0.92 };
  }

  private reply(branches: Branch[]): string {
    if (this.o.machine) return '';
    const t = this.o.t;
    this.questionsAsked++;
    const phrase = (b: Branch | undefined, fallback: string): string => {
      const a = b && sampleAnswer(b);
      if (!a) return t(fallback);
      return 'text' in a ? a.text : t(`sandbox.callee.${a.intent}`);
    };
    switch (this.o.callee.persona) {
      case 'silent':
      case 'keys':
        return '';
      case 'agree':
        return phrase(branches.find((b) => b.intent === 'yes') ?? branches[0], 'sandbox.callee.yes');
      case 'decline':
        return phrase(branches.find((b) => b.intent === 'no') ?? branches[branches.length - 1], 'sandbox.callee.no');
      case 'undecided': {
        // Hesitates at the first question, then picks something.
        if (this.questionsAsked === 1) return t('sandbox.callee.undecided');
        const pick = branches[Math.floor(this.o.random() * branches.length)];
        return phrase(pick, 'sandbox.callee.yes');
      }
    }
  }

  /** A callee who answers by keys presses 1 (after a moment) instead of speaking; others press nothing. */
  async pressKey(): Promise<string | undefined> {
    if (this.o.machine || this.o.callee.persona !== 'keys') return undefined;
    this.questionsAsked++;
    await this.o.time.sleep(800, this.o.signal);
    return '1';
  }

  async transfer(target: TransferTarget): Promise<TransferResult> {
    const number = target.kind === 'phone' ? target.number : target.kind === 'direction' ? (target.numbers[0] ?? '') : target.target;
    const behaviour = transferTargetOf(number);
    if (behaviour !== 'answer') {
      // Busy answers at once, a failure a moment later; nobody answering rings the whole timeout.
      const ms = behaviour === 'busy' ? 2000 : behaviour === 'fail' ? 500 : 30_000;
      this.o.recorder.add({ atMs: this.o.time.elapsedMs(), kind: 'ringback', ms });
      await this.o.time.sleep(ms, this.o.signal);
      return { connected: false };
    }
    const ringMs = 3000;
    this.o.recorder.add({ atMs: this.o.time.elapsedMs(), kind: 'ringback', ms: ringMs });
    await this.o.time.sleep(ringMs, this.o.signal);
    const greeting = this.o.t('sandbox.operator.greeting');
    this.o.recorder.add({ atMs: this.o.time.elapsedMs(), kind: 'speech', text: greeting, voice: 'operator' });
    await this.o.time.sleep(estimateSpeechMs(greeting, this.o.lang) + 2000, this.o.signal);
    const answeredBy =
      target.kind === 'phone' ? target.number : target.kind === 'direction' ? target.numbers[0] : target.target;
    this.transferred = { target, connected: true };
    return { connected: true, answeredBy };
  }

  async hangup(): Promise<void> {
    this.hungUp = true;
  }
}
