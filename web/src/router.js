// Every page of the site. Pages load on demand, so the public home page does not
// carry the console's code. Console pages need a login; the menu only offers the
// pages a role can use (session.js), and the server decides every read anyway.
// A session that must first change its password or enrol a second factor
// (session.restriction) opens its account page only.
import { createRouter, createWebHistory } from 'vue-router';
import { session, canOpen, canOpenCockpit, consolePages, restriction } from './lib/session.js';
import { onRestricted } from './lib/api.js';
import PublicLayout from './components/PublicLayout.vue';
// The home page comes with the application (one round trip less for most visitors).
import Home from './pages/public/Home.vue';

const ConsoleLayout = () => import('./components/ConsoleLayout.vue');

const routes = [
  {
    path: '/',
    component: PublicLayout,
    children: [
      { path: '', name: 'home', component: Home },
      { path: 'station/:code', name: 'station', component: () => import('./pages/public/Station.vue'), props: true },
      { path: 'water', name: 'water', component: () => import('./pages/public/Water.vue') },
      { path: 'enterprises', name: 'enterprises', component: () => import('./pages/public/Enterprises.vue') },
      { path: 'open-data', name: 'open-data', component: () => import('./pages/public/OpenData.vue') },
      { path: 'complaint', name: 'complaint', component: () => import('./pages/public/Complaint.vue') },
      { path: 'complaint/:code', name: 'complaint-track', component: () => import('./pages/public/ComplaintTrack.vue'), props: true },
      // The console's page is 'draws'; route names are one namespace.
      { path: 'draws', name: 'public-draws', component: () => import('./pages/public/Draws.vue') },
      { path: 'draws/:id', name: 'public-draw', component: () => import('./pages/public/DrawDetail.vue'), props: true },
      { path: 'login', name: 'login', component: () => import('./pages/console/Login.vue') },
      // The unified identity provider's return (OpenID Connect redirect_uri): no login needed.
      { path: 'login/oidc', name: 'login-oidc', component: () => import('./pages/console/LoginOidc.vue') },
    ],
  },
  {
    path: '/console',
    component: ConsoleLayout,
    meta: { login: true },
    children: [
      { path: '', name: 'console', redirect: () => ({ name: consolePages()[0] || 'account' }) },
      { path: 'alarms', name: 'alarms', component: () => import('./pages/console/Alarms.vue') },
      { path: 'complaints', name: 'complaints', component: () => import('./pages/console/Complaints.vue') },
      { path: 'tasks', name: 'tasks', component: () => import('./pages/console/Tasks.vue') },
      { path: 'draws', name: 'draws', component: () => import('./pages/console/Draws.vue') },
      { path: 'cases', name: 'cases', component: () => import('./pages/console/Cases.vue') },
      { path: 'codes', name: 'codes', component: () => import('./pages/console/Codes.vue') },
      // 一源一档: no menu entry of its own. It is read as the enterprise's alarms are (the
      // bureau in its scope, an enterprise its own), so it opens for whoever has 告警.
      { path: 'enterprises/:id/file', name: 'enterprise-file', component: () => import('./pages/console/EnterpriseFile.vue'), props: true, meta: { page: 'alarms' } },
      { path: 'inbox', name: 'inbox', component: () => import('./pages/console/Inbox.vue') },
      { path: 'sites', name: 'sites', component: () => import('./pages/console/Sites.vue') },
      { path: 'devices/:mn', name: 'device', component: () => import('./pages/console/Device.vue'), props: true, meta: { page: 'sites' } },
      { path: 'registry/:tab?', name: 'registry', component: () => import('./pages/console/Registry.vue'), props: true },
      { path: 'imports', name: 'imports', component: () => import('./pages/console/Imports.vue') },
      { path: 'review', name: 'review', component: () => import('./pages/console/Review.vue') },
      { path: 'declarations', name: 'declarations', component: () => import('./pages/console/Declarations.vue') },
      { path: 'samples', name: 'samples', component: () => import('./pages/console/Samples.vue') },
      { path: 'query', name: 'query', component: () => import('./pages/console/Query.vue') },
      { path: 'quality', name: 'quality', component: () => import('./pages/console/Quality.vue') },
      { path: 'catalog', name: 'catalog', component: () => import('./pages/console/Catalog.vue') },
      { path: 'users', name: 'users', component: () => import('./pages/console/Users.vue') },
      { path: 'enterprise', name: 'enterprise', component: () => import('./pages/console/Enterprise.vue') },
      { path: 'audit', name: 'audit', component: () => import('./pages/console/Audit.vue') },
      { path: 'account', name: 'account', component: () => import('./pages/console/Account.vue') },
    ],
  },
  { path: '/cockpit', name: 'cockpit', component: () => import('./pages/Cockpit.vue'), meta: { login: true } },
  { path: '/:rest(.*)*', name: 'not-found', component: () => import('./pages/NotFound.vue') },
];

const router = createRouter({
  history: createWebHistory(),
  routes,
  // Back/forward returns to where the reader was; a new page starts at the top. The
  // first page of a visit is at the top already (scrolling there forces a layout).
  scrollBehavior: (to, from, saved) => saved || (from.matched.length ? { top: 0 } : false),
});

router.beforeEach((to) => {
  if (to.matched.some((r) => r.meta.login) && !session.token)
    return { name: 'login', query: { next: to.fullPath } };
  const page = to.meta.page || to.name;
  const guarded = to.path.startsWith('/console') || to.name === 'cockpit';
  if (guarded && session.token && restriction.value && to.name !== 'account')
    return { name: 'account', query: { must: restriction.value } };
  if (to.path.startsWith('/console/') && session.token && page && !canOpen(page))
    return { name: 'console' };
  if (to.name === 'cockpit' && session.token && !canOpenCockpit()) return { name: 'console' };
  return true;
});

// A request answered "change your password first" / "enrol a second factor first".
onRestricted((kind) => {
  if (router.currentRoute.value.name !== 'account') router.replace({ name: 'account', query: { must: kind } });
});

export default router;
