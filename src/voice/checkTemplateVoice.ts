import type { FieldIssue } from '../core/errors.js';
import type { TemplateSettings } from '../core/template.js';
import { defaultLocaleOf } from '../core/voiceSettings.js';
import { capabilitiesOf } from './capabilities.js';

/**
 * What a template asks of its voice platform, checked against the platform's capabilities when
 * the template is saved: a platform that is not configured here, or a setting it cannot honour
 * (a detection mode, a voice of another language, phrase hints its recogniser ignores…) is
 * refused with the reason, in the admin's language.
 */
export function checkTemplateVoice(s: TemplateSettings, o: { platform: string; configured: boolean; scenarioLanguage: 'ru' | 'en' }): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const cannot = (path: string, reason: string, params: Record<string, unknown> = {}) =>
    issues.push({ path, key: 'voice.cannot', params: { platform: o.platform, reasonKey: `voice.reason.${reason}`, ...params } });
  if (!o.configured) {
    issues.push({ path: 'voice.platform', key: 'voice.not_configured', params: { platform: o.platform } });
    return issues;
  }
  const caps = capabilitiesOf(o.platform);
  if (!caps) return issues;
  if (!caps.amdModes.includes(s.amd.mode)) cannot('amd.mode', 'amd_mode', { mode: s.amd.mode });
  if (s.amd.greetingId && s.amd.mode !== 'off' && !caps.amdGreeting) cannot('amd.greetingId', 'amd_greeting');
  if (s.dialPlan.mode === 'custom' && !caps.trunks) cannot('dialPlan', 'trunk');
  if (s.redirect.mode !== 'hangup' && s.redirect.mode !== 'scenario' && !caps.transfer) cannot('redirect', 'transfer');
  const v = s.voice;
  if (!v) return issues;
  const locale = v.locale ?? defaultLocaleOf(o.scenarioLanguage);
  if (!caps.locales.includes(locale)) cannot(v.locale ? 'voice.locale' : 'voice', 'locale', { locale, locales: caps.locales.join(', ') });
  if (v.ttsVoice && !caps.voices.some((x) => x.id === v.ttsVoice && x.locale === locale)) {
    const known = caps.voices.some((x) => x.id === v.ttsVoice);
    cannot('voice.ttsVoice', known ? 'voice_locale' : 'voice', { voice: v.ttsVoice, locale });
  }
  if (v.recognizer) {
    if (caps.recognizers.length === 0) cannot('voice.recognizer', 'recognizer_fixed');
    else if (!caps.recognizers.includes(v.recognizer)) cannot('voice.recognizer', 'recognizer', { recognizer: v.recognizer, recognizers: caps.recognizers.join(', ') });
  }
  if (v.speechHints.length) {
    if (caps.speechHints === false) cannot('voice.speechHints', 'hints');
    else if (caps.speechHints !== true && !caps.speechHints.only.includes(v.recognizer ?? '')) cannot('voice.speechHints', 'hints_recognizer', { recognizers: caps.speechHints.only.join(', ') });
  }
  return issues;
}
