// The app shell: checks the session (/api/me), draws the left navigation and renders the page
// the URL's hash names. A 401 from any call shows the login page. Each page is a chunk of its
// own, loaded when first shown (the SQL editor's CodeMirror and the charts' ECharts load only with
// the pages that use them).
import { api, setCsrf, setUnauthorizedHandler } from './api';
import { errorBox, h, loading } from './dom';
import { pageChanging } from './lifecycle';
import { currentRoute, href } from './router';
import type { Route } from './router';
import type { Me } from './types';
import { loginPage } from './pages/login';

export type Page = (root: HTMLElement, route: Route) => void;

const pages: { id: string; label: string; icon: string; load: () => Promise<Page>; hidden?: boolean }[] = [
  { id: 'dashboard', label: 'Dashboard', icon: '▦', load: async () => (await import('./pages/dashboard')).dashboardPage },
  { id: 'influencers', label: 'Key influencers', icon: '⚑', load: async () => (await import('./pages/influencers')).influencersPage },
  { id: 'customer', label: 'Customer 360', icon: '◉', load: async () => (await import('./pages/customer')).customerPage },
  { id: 'sql', label: 'SQL editor', icon: '⌨', load: async () => (await import('./pages/sql')).sqlPage },
  { id: 'explorer', label: 'Explorer', icon: '☰', load: async () => (await import('./pages/explorer')).explorerPage },
  { id: 'pipeline', label: 'Pipeline', icon: '⇄', load: async () => (await import('./pages/pipeline')).pipelinePage },
];
/** Counts renders, so a page whose chunk arrives after the user moved on is not drawn. */
let shown = 0;

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
  shown++;
  pageChanging();
  app.replaceChildren();
  loginPage(app, async () => {
    me = await api.me();
    setCsrf(me.csrf);
    render();
  });
}

function render(): void {
  const mine = ++shown;
  pageChanging();
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
  main.append(loading());
  page.load().then((draw) => {
    if (mine !== shown) return;
    main.replaceChildren();
    draw(main, route);
  }, (e: unknown) => {
    if (mine !== shown) return;
    // A chunk that does not load (the server was upgraded meanwhile, or went away).
    main.replaceChildren(h('h1', null, page.label), errorBox(new Error(
      `This page could not be loaded (${e instanceof Error ? e.message : String(e)}): reload the page.`)));
  });
}

void start();
