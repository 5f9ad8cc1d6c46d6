import type { CampaignSettings } from '../../api/types';

/**
 * The campaign conditions form (J1, V2, J3, J8): the stored settings with the optional parts made
 * explicit switches, and `toSettings` back to what the API takes. Start "now" or at a local moment
 * (converted to an ISO instant with the browser's offset).
 */
export interface ScheduleForm {
  on: boolean;
  calls: number;
  intervalMinutes: number;
}

export interface CampaignForm {
  name: string;
  templateId: string;
  days: number[];
  from: string;
  to: string;
  skipHolidays: boolean;
  holidayCountry: string;
  useCalleeTime: boolean;
  timezone: string;
  compliance: '' | 'ru_230fz';
  maxConcurrent: number;
  intensityOwn: boolean;
  intensity: number;
  attemptsInitial: number;
  attemptsMax: number;
  pauseMinutes: number;
  recallIfShorterSec: number;
  answered: ScheduleForm;
  notAnswered: ScheduleForm;
  completeWhenDone: boolean;
  notifyEmails: string[];
  webhookUrl: string;
  ringTimeoutSec: number;
  startMode: 'now' | 'at';
  startAt: string;
}

export function emptyCampaignForm(timezone: string): CampaignForm {
  return {
    name: '',
    templateId: '',
    days: [1, 2, 3, 4, 5],
    from: '09:00',
    to: '18:00',
    skipHolidays: false,
    holidayCountry: 'RU',
    useCalleeTime: true,
    timezone,
    compliance: '',
    maxConcurrent: 10,
    intensityOwn: false,
    intensity: 1,
    attemptsInitial: 1,
    attemptsMax: 5,
    pauseMinutes: 30,
    recallIfShorterSec: 0,
    answered: { on: false, calls: 1, intervalMinutes: 60 },
    notAnswered: { on: false, calls: 3, intervalMinutes: 60 },
    completeWhenDone: true,
    notifyEmails: [],
    webhookUrl: '',
    ringTimeoutSec: 30,
    startMode: 'now',
    startAt: '',
  };
}

export function fromCampaign(name: string, templateId: string, s: CampaignSettings, startAt: string | null): CampaignForm {
  return {
    name,
    templateId,
    days: [...s.window.days],
    from: s.window.from,
    to: s.window.to,
    skipHolidays: s.window.skipHolidays,
    holidayCountry: s.window.holidayCountry ?? 'RU',
    useCalleeTime: s.useCalleeTime,
    timezone: s.timezone,
    compliance: s.compliance ?? '',
    maxConcurrent: s.maxConcurrent,
    intensityOwn: s.intensity !== null,
    intensity: s.intensity ?? 1,
    attemptsInitial: s.attempts.initial,
    attemptsMax: s.attempts.max,
    pauseMinutes: s.pauseMinutes,
    recallIfShorterSec: s.recallIfShorterSec,
    answered: s.schedules.answered ? { on: true, ...s.schedules.answered } : { on: false, calls: 1, intervalMinutes: 60 },
    notAnswered: s.schedules.notAnswered ? { on: true, ...s.schedules.notAnswered } : { on: false, calls: 3, intervalMinutes: 60 },
    completeWhenDone: s.completeWhenDone,
    notifyEmails: [...s.notifyEmails],
    webhookUrl: s.webhookUrl ?? '',
    ringTimeoutSec: s.ringTimeoutSec,
    startMode: startAt ? 'at' : 'now',
    startAt: startAt ? toLocalInput(startAt) : '',
  };
}

/** An ISO instant as the value of an `<input type="datetime-local">` in the browser's zone. */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value as an ISO instant with the browser's offset ("2030-03-06T09:00:00+03:00"). */
export function fromLocalInput(local: string): string | null {
  if (!local) return null;
  const d = new Date(local);
  if (Number.isNaN(d.getTime())) return local;
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  return `${local.length === 16 ? `${local}:00` : local}${sign}${pad(off / 60)}:${pad(off % 60)}`;
}

export function toSettings(f: CampaignForm): Record<string, unknown> {
  const schedules: Record<string, unknown> = {};
  if (f.answered.on) schedules.answered = { calls: Number(f.answered.calls), intervalMinutes: Number(f.answered.intervalMinutes) };
  if (f.notAnswered.on) schedules.notAnswered = { calls: Number(f.notAnswered.calls), intervalMinutes: Number(f.notAnswered.intervalMinutes) };
  return {
    maxConcurrent: Number(f.maxConcurrent),
    intensity: f.intensityOwn ? Number(f.intensity) : null,
    window: { days: [...f.days].sort(), from: f.from, to: f.to, skipHolidays: f.skipHolidays, ...(f.skipHolidays ? { holidayCountry: f.holidayCountry.trim().toUpperCase() } : {}) },
    useCalleeTime: f.useCalleeTime,
    timezone: f.timezone,
    compliance: f.compliance || null,
    attempts: { initial: Number(f.attemptsInitial), max: Number(f.attemptsMax) },
    pauseMinutes: Number(f.pauseMinutes),
    recallIfShorterSec: Number(f.recallIfShorterSec),
    schedules,
    completeWhenDone: f.completeWhenDone,
    notifyEmails: f.notifyEmails.map((e) => e.trim()).filter(Boolean),
    webhookUrl: f.webhookUrl.trim() || null,
    ringTimeoutSec: Number(f.ringTimeoutSec),
  };
}
