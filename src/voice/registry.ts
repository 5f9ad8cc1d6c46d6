import type { VoicePlatform } from './port.js';

/**
 * Every voice platform configured in this process, by name. `VOICE_PLATFORM` names the default; a
 * template may name another configured one (src/core/voiceSettings.ts).
 */
export interface VoicePlatforms {
  readonly defaultName: string;
  /** The platform of that name, or undefined when it is not configured here. */
  get(name: string): VoicePlatform | undefined;
  /** Names of the configured platforms, the default first. */
  names(): string[];
}

export class VoicePlatformRegistry implements VoicePlatforms {
  private readonly byName = new Map<string, VoicePlatform>();

  constructor(readonly defaultName: string) {}

  add(p: VoicePlatform): void {
    this.byName.set(p.name, p);
  }

  get(name: string): VoicePlatform | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()].sort((a, b) => (a === this.defaultName ? -1 : b === this.defaultName ? 1 : a.localeCompare(b)));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.byName.values()].map((p) => p.stop()));
  }
}

/** The same platforms with one call replaced on each (tests and benches stand in for a platform's behaviour). */
export function withPlatformOverride(platforms: VoicePlatforms, override: Partial<Pick<VoicePlatform, 'placeCall' | 'hangup'>>): VoicePlatforms {
  return {
    defaultName: platforms.defaultName,
    names: () => platforms.names(),
    get(name) {
      const p = platforms.get(name);
      if (!p) return undefined;
      return {
        name: p.name,
        placeCall: override.placeCall ?? ((req) => p.placeCall(req)),
        hangup: override.hangup ?? ((c) => p.hangup(c)),
        downloadRecording: (s, o) => p.downloadRecording(s, o),
        stop: () => p.stop(),
      };
    },
  };
}
