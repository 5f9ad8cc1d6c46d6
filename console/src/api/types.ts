/**
 * Shapes of the API answers the console reads. Where the server has a type for the body (template
 * settings, scenario graphs, campaign settings) it is imported from the server's own code (types
 * only), so the console cannot drift from what the server stores.
 */
import type { CampaignSettings } from '@server/core/campaign';
import type { TemplateSettings } from '@server/core/template';
import type { ScenarioGraph } from '@server/scenario/schema';
import type { Dashboard as DashboardBody } from '@server/engine/console/dashboard';
import type { CampaignProgress } from '@server/engine/campaigns/progress';
import type { CrmConnections } from '@server/engine/console/crmConnections';
import type { WebhookDelivery } from '@server/engine/outbox/webhookDeliveries';

export type { CampaignSettings, TemplateSettings, ScenarioGraph, DashboardBody, CampaignProgress, CrmConnections, WebhookDelivery };

export type Role = 'admin' | 'manager';

export interface Me {
  id: string;
  email: string | null;
  name: string;
  role: Role;
  locale: 'ru' | 'en';
}

export interface UserRow {
  id: string;
  email: string | null;
  name: string;
  role: Role;
  locale: 'ru' | 'en';
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
  externalId: string | null;
}


export interface Template {
  id: string;
  name: string;
  version: number;
  versionId: string;
  settings: TemplateSettings;
  createdAt: string;
  updatedAt: string;
}

export interface TemplateVersion {
  versionId: string;
  version: number;
  settings: TemplateSettings;
  createdAt: string;
}

export interface Scenario {
  id: string;
  name: string;
  version: number;
  versionId: string;
  graph: ScenarioGraph;
  createdAt: string;
  updatedAt: string;
}

export interface ScenarioVersion {
  versionId: string;
  version: number;
  graph: ScenarioGraph;
  createdAt: string;
}

export interface ElementInfo {
  type: string;
  spec: string;
  needs: string;
  settings: unknown;
}

export type CampaignStatus = 'scheduled' | 'running' | 'paused' | 'completed';

export interface Campaign {
  id: string;
  name: string;
  templateId: string;
  status: CampaignStatus;
  statusReason: string | null;
  statusDetail: string | null;
  settings: CampaignSettings;
  source: { kind: string; trigger?: string };
  startAt: string | null;
  version: number;
  numbers?: Record<string, number>;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
}

export interface Step {
  nodeId: string;
  type: string;
  exit?: string;
  detail?: string;
  atMs: number;
  durationMs: number;
}

export interface Answer {
  question: string;
  text: string;
  branch: string;
}

export interface Attempt {
  id: string;
  kind: 'test' | 'campaign';
  campaignId: string | null;
  numberId: string | null;
  attemptNo: number;
  phone: string;
  templateId: string;
  variables: Record<string, string>;
  status: 'queued' | 'dialing' | 'ringing' | 'answered' | 'completed';
  outcome: string | null;
  amdVerdict: string | null;
  gender: string | null;
  result: string | null;
  tags: string[];
  answers: Record<string, Answer>;
  steps: Step[];
  transfer: { target: string; connected: boolean } | null;
  callerId: string | null;
  sipCode: number | null;
  error: string | null;
  ineffective: boolean | null;
  durationSec: number | null;
  talkSec: number | null;
  recordingId: string | null;
  recordingUrl: string | null;
  createdAt: string;
  dialedAt: string | null;
  answeredAt: string | null;
  endedAt: string | null;
}

export interface CampaignNumber {
  id: string;
  contactId: string;
  externalId: string | null;
  phone: string;
  status: string;
  attemptsMade: number;
  lastOutcome: string | null;
  nextAttemptAt: string | null;
  calleeZones: string[];
  variables: Record<string, string>;
}

export interface CampaignStats {
  attempts: { total: number; placed: number; technicalErrors: number };
  outcomes: Record<string, number>;
  results: Record<string, number>;
  amd: Record<string, number>;
  gender: Record<string, number>;
  ineffective: number;
  avgDurationSec: number | null;
  avgTalkSec: number | null;
  totalTalkSec: number;
  numbers: Record<string, number>;
  contacts: { total: number; reached: number; unreached: number; cancelled: number; open: number };
  reach: number | null;
  byHour: { hour: number; placed: number; answered: number }[];
  funnel: { attemptNo: number; placed: number; answered: number }[];
}

export interface RowIssueView {
  row: number;
  column: string | null;
  value: string;
  reason: string;
  message: string;
}

export interface ColumnInfo {
  index: number;
  header: string;
  role: 'phone' | 'variable' | 'externalId' | 'ignored';
  variable?: string;
  known: boolean;
}

export interface ImportPreview {
  meta: {
    format: 'csv' | 'txt' | 'xlsx';
    encoding?: string;
    delimiter?: string | null;
    headerRow: boolean;
    columns: ColumnInfo[];
    phoneColumns: string[];
    unknownColumns: string[];
    missingVariables: string[];
    sample?: { rowNumber: number; cells: string[] }[];
  };
  variables: { name: string; description: string; required: boolean }[];
  report: {
    rows: number;
    validRows: number;
    rejectedRows: number;
    duplicateRowsInFile: number;
    duplicatePhonesInFile: number;
    phones: number;
    alreadyInCampaign: number;
    newPhones: number;
    errors: RowIssueView[];
    warnings: RowIssueView[];
    issuesTruncated: boolean;
  };
}

export interface ImportReport {
  format: string;
  encoding: string | null;
  rows: number;
  contactsAdded: number;
  numbersAdded: number;
  duplicatesInFile: number;
  duplicatesInCampaign: number;
  errors: RowIssueView[];
  warnings: RowIssueView[];
  issuesTruncated: boolean;
  unknownColumns: string[];
  missingVariables: string[];
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  key?: string;
}

export interface Greeting {
  id: string;
  name: string;
  sizeBytes: number;
  durationMs: number;
  url: string;
  createdAt: string;
}

export interface Named {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  [key: string]: unknown;
}

export interface Limits {
  minuteBudget: number | null;
  maxConcurrentCalls: number;
  month: string;
  secondsUsed: number;
  callsPlaced: number;
}

export interface Session {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  userAgent: string | null;
  ip: string | null;
  current: boolean;
}
