import { z } from 'zod';
import { VOICE_PLATFORMS } from '../../../core/voiceSettings.js';
import { CAPABILITIES } from '../../../voice/capabilities.js';
import { route } from '../../route.js';

/**
 * The voice platforms and what each can do — the same table the template validator reads — so the
 * console offers only the detection modes, voices, locales and recognisers a template's platform has.
 */
const capabilitiesDto = z.object({
  amdModes: z.array(z.string()),
  amdGreeting: z.boolean(),
  faxDetection: z.boolean(),
  locales: z.array(z.string()),
  voices: z.array(z.object({ id: z.string(), locale: z.string(), gender: z.enum(['female', 'male']) })),
  defaultVoice: z.record(z.string(), z.string()),
  recognizers: z.array(z.string()),
  speechHints: z.union([z.boolean(), z.object({ only: z.array(z.string()) })]),
  dtmf: z.boolean(),
  transfer: z.boolean(),
  trunks: z.boolean(),
  genderReported: z.boolean(),
  recording: z.object({ format: z.string(), stereo: z.boolean() }),
  costReported: z.boolean(),
});

export const voicePlatformRoutes = [
  route({
    method: 'get',
    path: '/voice-platforms',
    summary: 'Voice platforms: which are configured on this server, the default, and what each can do',
    tag: 'templates',
    access: 'user',
    response: z.object({
      default: z.string(),
      platforms: z.array(z.object({ name: z.enum(VOICE_PLATFORMS), configured: z.boolean(), default: z.boolean(), capabilities: capabilitiesDto })),
    }),
    handler: async ({ app }) => ({
      default: app.voice.defaultName,
      platforms: VOICE_PLATFORMS.map((name) => {
        const { name: _name, ...capabilities } = CAPABILITIES[name];
        return { name, configured: app.voice.get(name) !== undefined, default: app.voice.defaultName === name, capabilities };
      }),
    }),
  }),
];
