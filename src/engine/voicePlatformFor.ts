import { DomainError } from '../core/errors.js';
import type { TemplateSettings } from '../core/template.js';
import type { AppContext } from '../context.js';
import type { VoicePlatform } from '../voice/port.js';

/** The platform a template's calls go through: its own choice, else the default (VOICE_PLATFORM). */
export function platformNameOf(app: Pick<AppContext, 'voice'>, s: TemplateSettings): string {
  return s.voice?.platform ?? app.voice.defaultName;
}

/** The configured platform for a template; a template naming one that is not configured here is refused. */
export function voicePlatformFor(app: Pick<AppContext, 'voice'>, s: TemplateSettings): VoicePlatform {
  const name = platformNameOf(app, s);
  const p = app.voice.get(name);
  if (!p) throw new DomainError('conflict', 'errors.voice_platform_not_configured', { platform: name });
  return p;
}
