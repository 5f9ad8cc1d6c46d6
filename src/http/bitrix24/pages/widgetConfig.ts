import type { Locale } from '../../../i18n.js';
import { readLocaleResources } from '../../../i18n.js';

/**
 * The contract between the server-rendered frame pages and their browser code in
 * `widgets/bitrix24/` (which imports these types only — no runtime code crosses over): the JSON in
 * `<script type="application/json" id="dozvon-config">`, and the shapes of the `/bitrix24/api/*`
 * answers the pages read. Documented in README.md, "Placements: the pages inside Bitrix24".
 */
export type WidgetPage = 'deal_tab' | 'lead_tab' | 'deal_list' | 'lead_list';
export type WidgetEntity = 'deal' | 'lead';

export interface BaseWidgetConfig {
  page: WidgetPage;
  /** `PLACEMENT` the portal posted (`DEFAULT` for the app page). */
  placement: string;
  /** Sent back as `X-B24-Member-Id` with every API call. */
  memberId: string;
  /** The portal's domain as Dozvon stored it at install (never the request's `DOMAIN`), sent back as `X-B24-Domain`. */
  domain: string;
  /** Base of the JSON API the page calls (`/bitrix24/api/`). */
  api: string;
  /** The page's language (the portal user's `LANG`: ru/ua/by/kz → ru, otherwise en). */
  lang: Locale;
  /** i18next resources for `lang`: the locale files' areas the pages use (see `browserTexts`). */
  texts: Record<string, unknown>;
}

/** Deal / lead tab and list menu. */
export interface PlacementWidgetConfig extends BaseWidgetConfig {
  page: 'deal_tab' | 'lead_tab' | 'deal_list' | 'lead_list';
  entity: WidgetEntity;
  /** Ids from `PLACEMENT_OPTIONS.ID`: the card's id for a tab, the chosen rows for a list action. */
  ids: number[];
}

export const API_BASE = '/bitrix24/api/';

export type WidgetConfig = PlacementWidgetConfig;

// ---------------------------------------------------------------- API answers the pages read

export interface TemplateItem {
  id: string;
  name: string;
  description?: string;
  robotCode: string;
}

export interface StartedAnswer {
  campaignId: string;
  name: string;
  /** Chosen rows the user's own Bitrix24 rights do not show (or that are gone): not called. */
  refused: number[];
}

export interface CampaignProgress {
  id: string;
  name: string;
  status: string;
  statusReason: string | null;
  numbers: Record<string, number>;
  intake: { status: 'running' | 'done' | 'failed'; fetched: number; added: number; skipped: number; error: string | null } | null;
}

export interface ApiErrorBody {
  error: { code: string; message: string; details?: { path: string; message: string; reason: string }[]; requestId?: string };
}

// ---------------------------------------------------------------- texts

/**
 * The part of the locale files the browser code uses, as i18next resources with the server's key
 * paths (`placements.tab.call_now`, `outcome.human`, …). Read from `locales/<lng>/*.json` — the
 * pages never carry texts of their own. Cached per language for the life of the process.
 */
const cache = new Map<Locale, Record<string, unknown>>();

type Tree = Record<string, unknown>;
const pick = (tree: unknown, path: string): unknown => path.split('.').reduce<unknown>((node, k) => (node && typeof node === 'object' ? (node as Tree)[k] : undefined), tree);

export function browserTexts(lng: Locale): Record<string, unknown> {
  const hit = cache.get(lng);
  if (hit) return hit;
  const all = readLocaleResources(lng);
  const texts = {
    placements: all.placements,
    outcome: all.outcome,
    call: all.call,
    bitrix24: {
      gender: pick(all, 'bitrix24.gender'),
      status: pick(all, 'bitrix24.status'),
      app: pick(all, 'bitrix24.app'),
      robot: { name: pick(all, 'bitrix24.robot.name') },
    },
    email: { reason: pick(all, 'email.reason') },
  };
  cache.set(lng, texts);
  return texts;
}
