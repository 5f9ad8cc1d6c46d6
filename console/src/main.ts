import './assets/main.css';
import { createApp } from 'vue';
import { createRouter, createWebHistory } from 'vue-router';
import b24UiPlugin from '@bitrix24/b24ui-nuxt/vue-plugin';
import App from './App.vue';

const router = createRouter({ history: createWebHistory(), routes: [{ path: '/', component: () => import('./Home.vue') }] });
createApp(App).use(router).use(b24UiPlugin).mount('#app');
