import { setMaxListeners } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { v4 } from 'uuid';
import type { Clock } from '../../core/clock.js';
import { hmacHex, safeEqual } from '../../core/crypto.js';
import { translator } from '../../i18n.js';
import type { Logger } from '../../log.js';
import { CallAbortedError } from '../../scenario/media.js';
import { VoicePlatformError, type CallEngine, type DownloadedRecording, type LiveCall, type PlaceCallRequest, type PlacedCall, type VoicePlatform } from '../port.js';
import { calleeFor, parseMix, seededUnit, type Mix } from './callees.js';
import { CallEventSender } from './eventSender.js';
import type { Recorder } from './recorder.js';
import { simulateCall } from './simulateCall.js';

/**
 * The built-in voice platform: simulates callees and the network, runs Dozvon's own scenarios,
 * renders real WAV recordings, and reports everything through signed HTTP callbacks exactly as a
 * real platform would. Its recordings are served from its own media store (like a platform's CDN)
 * and downloaded by the engine.
 */
export interface SandboxOptions {
  timeScale: number;
  seed: string;
  mix: string | undefined;
  mediaDir: string;
  /** The server's public URL (known once it listens). */
  publicUrl: () => string;
  callbackKey: Buffer;
  /** Timestamps of events (the app's clock, so simulated-time tests stay consistent). */
  clock: Clock;
  /** The engine's interpreter entry point (the sandbox calls it in-process, like a platform's webhook). */
  engine: Pick<CallEngine, 'advance'>;
  log: Logger;
  /** Turns a call's segments into a WAV, stored in `file`; gives its bytes. */
  renderRecording(recorder: Recorder, talkMs: number, lang: 'ru' | 'en', file: string): Promise<Buffer>;
  /** Each event callback is delivered this many times at once (idempotency tests, chaos bench); default 1. */
  callbackCopies?: number;
}

const MEDIA_TTL_MS = 24 * 3600_000;
/**
 * Recordings just made, kept for the engine's download that follows the hang-up at once: served
 * from memory instead of a stat and a read of the file just written. The oldest go first past this
 * many bytes (about a minute of calls at 50 a second); the file is always there for the rest.
 */
const RECENT_MAX_BYTES = 32 * 1024 * 1024;

export class SandboxPlatform implements VoicePlatform {
  readonly name = 'sandbox';
  private readonly mix: Mix;
  private readonly calls = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly callsPerNumber = new Map<string, number>();
  private stopped = false;
  private readonly stopping = new AbortController();
  private lastSweep = 0;
  private readonly recent = new Map<string, Buffer>();
  private recentBytes = 0;

  constructor(private readonly o: SandboxOptions) {
    this.mix = parseMix(o.mix);
    // Every live call's callback in flight (and each retry's wait) listens for the platform stopping:
    // hundreds at once are the normal load, not a leak.
    setMaxListeners(0, this.stopping.signal);
    fs.mkdirSync(o.mediaDir, { recursive: true, mode: 0o700 });
  }

  async placeCall(req: PlaceCallRequest): Promise<PlacedCall> {
    if (this.stopped) throw new VoicePlatformError('sandbox platform is stopping', true);
    const nth = (this.callsPerNumber.get(req.to) ?? 0) + 1;
    this.callsPerNumber.set(req.to, nth);
    const callee = calleeFor(req.to, this.o.seed, this.mix, nth);
    if (callee.behaviour === 'platform_error') {
      throw new VoicePlatformError('sandbox: the platform refused the request (magic number …0009)', true);
    }
    const providerCallId = `sbx-${v4()}`;
    const controller = new AbortController();
    const sender = new CallEventSender({
      url: `${this.o.publicUrl()}/voice/sandbox/events`,
      attemptId: req.attemptId,
      providerCallId,
      key: this.o.callbackKey,
      log: this.o.log,
      clock: this.o.clock,
      copies: this.o.callbackCopies,
      stopping: this.stopping.signal,
    });
    let rolls = 0;
    const done = simulateCall({
      req,
      callee,
      timeScale: this.o.timeScale,
      engine: this.o.engine,
      t: translator(req.language),
      random: () => seededUnit(this.o.seed, req.to, String(nth), String(rolls++)),
      emit: (e) => sender.emit(e),
      saveRecording: (recorder, talkMs) => this.saveRecording(providerCallId, recorder, talkMs, req.language),
      fetchGreeting: (url) => this.fetchGreeting(url),
      now: () => this.o.clock.now(),
      signal: controller.signal,
    })
      .then(() => sender.drain())
      .catch((e: unknown) => this.o.log.error({ err: e, attemptId: req.attemptId }, 'sandbox: call simulation failed'))
      .finally(() => this.calls.delete(providerCallId));
    this.calls.set(providerCallId, { controller, done });
    this.sweepOldMedia();
    return { providerCallId };
  }

  async hangup(call: LiveCall): Promise<void> {
    this.calls.get(call.providerCallId)?.controller.abort(new CallAbortedError('hangup_requested'));
  }

  /** Calls in progress (for tests and graceful shutdown). */
  activeCalls(): number {
    return this.calls.size;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const all = [...this.calls.values()];
    for (const c of all) c.controller.abort(new CallAbortedError('platform_stopped'));
    // Dozvon's server is closed by now: callbacks that keep failing are given up at once.
    this.stopping.abort();
    await Promise.all(all.map((c) => c.done));
  }

  /** Waits for the calls in progress to finish on their own (graceful drain). */
  async drain(): Promise<void> {
    await Promise.all([...this.calls.values()].map((c) => c.done));
  }

  /** Our own media store: read the file the signed link names, no HTTP round trip to ourselves. */
  async downloadRecording(source: string, o: { maxBytes: number }): Promise<DownloadedRecording> {
    const m = /\/voice\/sandbox\/recordings\/(sbx-[0-9a-f-]{36})\.wav\?sig=([0-9a-f]+)$/.exec(source);
    const id = m && this.verifyMedia(m[1]!, m[2]!) ? m[1]! : undefined;
    const file = id && this.mediaFile(id);
    if (!id || !file) throw new Error('not a sandbox recording link');
    const kept = this.recent.get(id);
    if (kept) {
      this.forget(id);
      if (kept.length <= o.maxBytes) return { bytes: kept, contentType: 'audio/wav', calleeChannel: null };
    }
    const st = await fs.promises.stat(file);
    if (st.size > o.maxBytes) throw new Error(`recording too large: ${st.size} bytes`);
    return { bytes: await fs.promises.readFile(file), contentType: 'audio/wav', calleeChannel: null };
  }

  // --- media store -------------------------------------------------------------------------

  mediaFile(providerCallId: string): string | undefined {
    if (!/^sbx-[0-9a-f-]{36}$/.test(providerCallId)) return undefined;
    return path.join(this.o.mediaDir, `${providerCallId}.wav`);
  }

  signMedia(providerCallId: string): string {
    return hmacHex(this.o.callbackKey, `media:${providerCallId}`);
  }

  verifyMedia(providerCallId: string, sig: string): boolean {
    return safeEqual(sig, this.signMedia(providerCallId));
  }

  private async saveRecording(providerCallId: string, recorder: Recorder, talkMs: number, lang: 'ru' | 'en'): Promise<string> {
    const wav = await this.o.renderRecording(recorder, talkMs, lang, this.mediaFile(providerCallId)!);
    this.keep(providerCallId, wav);
    return `${this.o.publicUrl()}/voice/sandbox/recordings/${providerCallId}.wav?sig=${this.signMedia(providerCallId)}`;
  }

  private keep(providerCallId: string, wav: Buffer): void {
    this.recent.set(providerCallId, wav);
    this.recentBytes += wav.length;
    for (const [id] of this.recent) {
      if (this.recentBytes <= RECENT_MAX_BYTES) break;
      this.forget(id);
    }
  }

  private forget(providerCallId: string): void {
    const wav = this.recent.get(providerCallId);
    if (!wav) return;
    this.recent.delete(providerCallId);
    this.recentBytes -= wav.length;
  }

  private async fetchGreeting(url: string): Promise<Buffer | undefined> {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) return undefined;
      return Buffer.from(await res.arrayBuffer());
    } catch (e) {
      this.o.log.warn({ err: e }, 'sandbox: greeting download failed');
      return undefined;
    }
  }

  /** Like a platform's storage, recordings expire; the engine keeps its own copy. */
  private sweepOldMedia(): void {
    const now = Date.now();
    if (now - this.lastSweep < 3600_000) return;
    this.lastSweep = now;
    void fs.promises
      .readdir(this.o.mediaDir)
      .then(async (files) => {
        for (const f of files) {
          const p = path.join(this.o.mediaDir, f);
          const st = await fs.promises.stat(p).catch(() => undefined); // removed meanwhile: nothing to sweep
          if (st && now - st.mtimeMs > MEDIA_TTL_MS) await fs.promises.rm(p, { force: true });
        }
      })
      .catch((e: unknown) => this.o.log.warn({ err: e }, 'sandbox: sweeping old recordings failed; will retry in an hour'));
  }
}
