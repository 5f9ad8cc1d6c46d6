import { createRouter, createWebHashHistory, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { embedded } from './boot';
import { isAdmin, session } from './session';

/**
 * Screens. Heavy ones (scenario graph, charts) are their own chunks; every screen is loaded on
 * first visit. `meta.admin` screens are not shown to managers (and the API refuses them anyway).
 * Inside a CRM frame the address stays the frame's own (hash history), so a reload keeps the page.
 */
declare module 'vue-router' {
  interface RouteMeta {
    /** Shown without signing in. */
    public?: boolean;
    admin?: boolean;
    /** i18n key of the page title. */
    title?: string;
  }
}

export const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./views/auth/LoginView.vue'), meta: { public: true, title: 'console.auth.sign_in' } },
  { path: '/setup', name: 'setup', component: () => import('./views/auth/SetupView.vue'), meta: { public: true, title: 'console.setup.title' } },
  {
    path: '/',
    component: () => import('./layout/AppShell.vue'),
    children: [
      { path: '', name: 'dashboard', component: () => import('./views/dashboard/DashboardView.vue'), meta: { title: 'console.nav.dashboard' } },
      { path: 'templates', name: 'templates', component: () => import('./views/templates/TemplateList.vue'), meta: { title: 'console.nav.templates' } },
      { path: 'templates/new', name: 'template-new', component: () => import('./views/templates/TemplateEditor.vue'), meta: { title: 'console.templates.new', admin: true } },
      { path: 'templates/:id', name: 'template', component: () => import('./views/templates/TemplateEditor.vue'), meta: { title: 'console.nav.templates' } },
      { path: 'scenarios', name: 'scenarios', component: () => import('./views/scenarios/ScenarioList.vue'), meta: { title: 'console.nav.scenarios' } },
      { path: 'scenarios/new', name: 'scenario-new', component: () => import('./views/scenarios/ScenarioEditor.vue'), meta: { title: 'console.scenarios.new', admin: true } },
      { path: 'scenarios/:id', name: 'scenario', component: () => import('./views/scenarios/ScenarioEditor.vue'), meta: { title: 'console.nav.scenarios' } },
      { path: 'campaigns', name: 'campaigns', component: () => import('./views/campaigns/CampaignList.vue'), meta: { title: 'console.nav.campaigns' } },
      { path: 'campaigns/new', name: 'campaign-new', component: () => import('./views/campaigns/CampaignNew.vue'), meta: { title: 'console.campaigns.new' } },
      { path: 'campaigns/:id', name: 'campaign', component: () => import('./views/campaigns/CampaignView.vue'), meta: { title: 'console.nav.campaigns' } },
      { path: 'integrations', name: 'integrations', component: () => import('./views/integrations/IntegrationsView.vue'), meta: { title: 'console.nav.integrations', admin: true } },
      { path: 'settings/:tab?', name: 'settings', component: () => import('./views/settings/SettingsView.vue'), meta: { title: 'console.nav.settings' } },
      { path: 'profile', name: 'profile', component: () => import('./views/profile/ProfileView.vue'), meta: { title: 'console.nav.profile' } },
      { path: 'bitrix24', name: 'bitrix24', component: () => import('./views/crm/Bitrix24View.vue'), meta: { title: 'console.nav.bitrix24' } },
      { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('./views/NotFound.vue'), meta: { title: 'console.not_found.title' } },
    ],
  },
];

export const router = createRouter({ history: embedded ? createWebHashHistory() : createWebHistory(), routes });

router.beforeEach(async (to) => {
  if (to.meta.public) {
    if (session.user && (to.name === 'login' || to.name === 'setup')) return { name: 'dashboard' };
    return true;
  }
  if (!session.user) return embedded ? true : { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} };
  if (to.meta.admin && !isAdmin.value) return { name: 'dashboard' };
  return true;
});
