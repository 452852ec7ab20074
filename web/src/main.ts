// The app shell: checks the session (/api/me), draws the left navigation and renders the page
// the URL's hash names. A 401 from any call shows the login page.
import { api, setCsrf, setUnauthorizedHandler } from './api';
import { disposeCharts } from './charts';
import { errorBox, h } from './dom';
import { currentRoute, href } from './router';
import type { Route } from './router';
import type { Me } from './types';
import { dashboardPage } from './pages/dashboard';
import { sqlPage } from './pages/sql';
import { customerPage } from './pages/customer';
import { influencersPage } from './pages/influencers';
import { explorerPage } from './pages/explorer';
import { pipelinePage } from './pages/pipeline';
import { loginPage } from './pages/login';

export type Page = (root: HTMLElement, route: Route) => void;

const pages: { id: string; label: string; icon: string; render: Page; hidden?: boolean }[] = [
  { id: 'dashboard', label: 'Dashboard', icon: '▦', render: dashboardPage },
  { id: 'influencers', label: 'Key influencers', icon: '⚑', render: influencersPage },
  { id: 'customer', label: 'Customer 360', icon: '◉', render: customerPage },
  { id: 'sql', label: 'SQL editor', icon: '⌨', render: sqlPage },
  { id: 'explorer', label: 'Explorer', icon: '☰', render: explorerPage },
  { id: 'pipeline', label: 'Pipeline', icon: '⇄', render: pipelinePage },
];

const app = document.getElementById('app')!;
let me: Me | null = null;

async function start(): Promise<void> {
  setUnauthorizedHandler(() => { if (me) me = { ...me, user: null, auth_required: true }; showLogin(); });
  try {
    me = await api.me();
  } catch (e) {
    app.replaceChildren(h('main.page', null, h('h1', null, 'custlake'), errorBox(e)));
    return;
  }
  setCsrf(me.csrf);
  if (me.auth_required && !me.user) showLogin();
  else render();
  window.addEventListener('hashchange', () => { if (!me?.auth_required || me.user) render(); });
}

function showLogin(): void {
  disposeCharts();
  app.replaceChildren();
  loginPage(app, async () => {
    me = await api.me();
    setCsrf(me.csrf);
    render();
  });
}

function render(): void {
  disposeCharts();
  const route = currentRoute();
  const page = pages.find((p) => p.id === route.page);
  const main = h('main.page', { id: 'page' });
  const nav = h('nav.sidebar', { 'aria-label': 'Pages' },
    h('a.brand', { href: href('dashboard') }, h('span.logo', null, '◆'), 'custlake'),
    h('ul', null, pages.filter((p) => !p.hidden).map((p) => h('li', null,
      h('a', { href: href(p.id), class: p.id === route.page ? 'active' : undefined, 'aria-current': p.id === route.page ? 'page' : undefined },
        h('span.icon', { 'aria-hidden': 'true' }, p.icon), p.label)))),
    me?.user ? h('div.session', null, h('span', null, me.user),
      h('button.link', { onclick: async () => { await api.logout(); me = await api.me(); setCsrf(me.csrf); showLogin(); } }, 'Sign out')) : null);
  app.replaceChildren(h('div.shell', null, nav, main));
  if (!page) {
    main.append(h('h1', null, 'Not found'), h('p', null, 'No page is called ', h('code', null, route.page), '. ',
      h('a', { href: href('dashboard') }, 'Go to the dashboard'), '.'));
    return;
  }
  document.title = `${page.label} · custlake`;
  page.render(main, route);
}

void start();
