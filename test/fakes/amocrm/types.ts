/** Records of the amoCRM emulator, shaped as API v4 prints them (snake_case). */
export type Platform = 'amocrm' | 'kommo';

export interface IntegrationDefinition {
  /** Integration ID (a UUID), `client_id` / `client_uuid`. */
  clientId: string;
  clientSecret: string;
  /** Where the one-shot install redirect and OAuth codes go. */
  redirectUri: string;
  /** The "disable hook" URL (GET with client_uuid, account_id, signature); null = none set. */
  uninstallUrl: string | null;
  /** `manifest.dp.webhook_url` of the uploaded widget. */
  dpWebhookUrl: string | null;
  platform: Platform;
  /** Widget code, what `get_settings().widget_code` returns. */
  widgetCode: string;
}

export interface CustomFieldValue {
  field_id: number;
  field_name?: string;
  field_code?: string | null;
  field_type?: string;
  values: { value?: string | number | boolean; enum_id?: number; enum_code?: string | null }[];
}

export interface Tag {
  id: number;
  name: string;
  color: string | null;
}

export interface Lead {
  id: number;
  name: string;
  price: number;
  responsible_user_id: number;
  group_id: number;
  status_id: number;
  pipeline_id: number;
  loss_reason_id: number | null;
  created_by: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
  closed_at: number | null;
  closest_task_at: number | null;
  is_deleted: boolean;
  custom_fields_values: CustomFieldValue[] | null;
  score: number | null;
  account_id: number;
  tags: number[];
  contacts: { id: number; is_main: boolean }[];
  company_id: number | null;
}

export interface Contact {
  id: number;
  name: string;
  first_name: string;
  last_name: string;
  responsible_user_id: number;
  created_at: number;
  updated_at: number;
  custom_fields_values: CustomFieldValue[] | null;
  account_id: number;
}

export interface Note {
  id: number;
  entity_id: number;
  entity_type: 'leads';
  note_type: string;
  params: Record<string, unknown>;
  created_by: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
  responsible_user_id: number;
  account_id: number;
}

export interface CustomFieldDef {
  id: number;
  name: string;
  type: 'text' | 'numeric' | 'checkbox' | 'select' | 'multiselect' | 'textarea' | 'radiobutton' | 'url' | 'date' | 'date_time' | 'multitext';
  code: string | null;
  sort: number;
  is_api_only: boolean;
  enums: { id: number; value: string; sort: number }[] | null;
  entity_type: 'leads' | 'contacts';
}

export interface Pipeline {
  id: number;
  name: string;
  sort: number;
  is_main: boolean;
  statuses: { id: number; name: string; sort: number; type: 0 | 1; pipeline_id: number }[];
}

export interface User {
  id: number;
  name: string;
  email: string;
  lang: string;
  is_admin: boolean;
  is_active: boolean;
  /** `rights.leads.view`: A all, G the group's, M own, D none. */
  leads_view: 'A' | 'G' | 'M' | 'D';
  group_id: number | null;
  /** `rights.status_rights`: stages whose leads the user may (A) or may not (D) see. */
  status_rights: { entity_type: 'leads'; pipeline_id: number; status_id: number; rights: { view: 'A' | 'D'; edit: 'A' | 'D'; delete: 'A' | 'D' } }[];
}

/** One API request the account handled (every request counts against the rate limit). */
export interface ApiRequestRecord {
  seq: number;
  at: number;
  method: string;
  path: string;
  query: string;
  /** Parsed JSON body, if any. */
  body: unknown;
  status: number;
  /** Items in a batch write / read (notes created, leads patched, rows returned). */
  items: number;
  /** The request was applied but its response was dropped (fault injection). */
  dropped: boolean;
}

export interface OAuthRecord {
  at: number;
  grantType: string;
  clientId: string;
  status: number;
  /** `revoked_reuse` when an already-used refresh token came back. */
  error: string | null;
  /** Which refresh token was presented (its serial), for "no refresh token used twice". */
  refreshSerial: number | null;
}

export interface HookRecord {
  kind: 'install' | 'uninstall' | 'dp';
  url: string;
  status: number;
  ms: number;
  error: string | null;
}
