import './assets/main.css';
import b24UiPlugin from '@bitrix24/b24ui-nuxt/vue-plugin';
import { createApp } from 'vue';
import App from './App.vue';
import { boot } from './boot';
import { initI18n } from './i18n';
import { router } from './router';
import { restoreSession } from './session';

/**
 * Start: the language (the browser's, or the CRM user's), then the session (kept in this browser,
 * or handed over by the CRM), then the screens. The user's own language replaces the first guess
 * once they are known.
 */
async function start(): Promise<void> {
  const app = createApp(App);
  await initI18n(app, boot.locale);
  try {
    await restoreSession();
  } catch {
    // the server could not be reached: the sign-in page says so when it is used
  }
  app.use(router).use(b24UiPlugin);
  app.mount('#app');
  // Inside Bitrix24 the console is the app's page: a frame tall enough for it.
  if (boot.mode === 'bitrix24') void import('./crm/b24frame').then((m) => m.sizeFrame());
  window.addEventListener('unhandledrejection', (e) => {
    // Network hiccups of background refreshes are shown where they happen; nothing else is expected here.
    if ((e.reason as Error | undefined)?.name === 'ApiError') e.preventDefault();
  });
}

void start();
