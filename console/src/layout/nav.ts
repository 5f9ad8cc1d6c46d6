import type { Component } from 'vue';
import HomeIcon from '@bitrix24/b24icons-vue/outline/HomeIcon';
import FormIcon from '@bitrix24/b24icons-vue/outline/FormIcon';
import GraphsDiagramIcon from '@bitrix24/b24icons-vue/outline/GraphsDiagramIcon';
import PhoneOutIcon from '@bitrix24/b24icons-vue/outline/PhoneOutIcon';
import KeyIcon from '@bitrix24/b24icons-vue/outline/KeyIcon';
import SettingsIcon from '@bitrix24/b24icons-vue/outline/SettingsIcon';
import CrmIcon from '@bitrix24/b24icons-vue/outline/CrmIcon';

/** The console's sections, in the sidebar's order; `admin` ones are hidden from managers. */
export interface NavEntry {
  key: string;
  to: string;
  icon: Component;
  admin?: boolean;
  /** Only inside this CRM. */
  crm?: 'bitrix24';
}

export const NAV: NavEntry[] = [
  { key: 'dashboard', to: '/', icon: HomeIcon },
  { key: 'campaigns', to: '/campaigns', icon: PhoneOutIcon },
  { key: 'templates', to: '/templates', icon: FormIcon },
  { key: 'scenarios', to: '/scenarios', icon: GraphsDiagramIcon },
  { key: 'bitrix24', to: '/bitrix24', icon: CrmIcon, crm: 'bitrix24' },
  { key: 'integrations', to: '/integrations', icon: KeyIcon, admin: true },
  { key: 'settings', to: '/settings', icon: SettingsIcon },
];
