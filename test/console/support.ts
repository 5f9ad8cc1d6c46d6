import b24UiPlugin from '@bitrix24/b24ui-nuxt/vue-plugin';
import { mount, type ComponentMountingOptions } from '@vue/test-utils';
import i18next from 'i18next';
import I18NextVue from 'i18next-vue';
import type { Component } from 'vue';
import { createMemoryHistory, createRouter } from 'vue-router';
import en from '../../console/src/locales/en';

/**
 * Mounting the console's components as the app does: the UI kit's plugin and the English texts of
 * the locale files (the same i18next setup as console/src/i18n.ts).
 */
let ready: Promise<unknown> | undefined;
export function initTexts(): Promise<unknown> {
  ready ??= i18next.init({ lng: 'en', fallbackLng: false, resources: { en: { translation: en } }, interpolation: { escapeValue: false }, showSupportNotice: false });
  return ready;
}

export async function mountWithTexts<C extends Component>(component: C, options: ComponentMountingOptions<C> = {}) {
  await initTexts();
  return mount(component, {
    attachTo: document.body,
    ...options,
    // The kit's buttons are router links: a router with one route stands in for the console's.
    global: { plugins: [[I18NextVue, { i18next }], b24UiPlugin, createRouter({ history: createMemoryHistory(), routes: [{ path: '/:any(.*)*', component: { render: () => null } }] })], ...(options.global ?? {}) },
  } as ComponentMountingOptions<C>);
}

export const t = (key: string, params: Record<string, unknown> = {}): string => i18next.t(key, params) as string;

/** Resolves after the component's pending promises and the next render. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
}
