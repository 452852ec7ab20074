// Customer 360: one customer's attributes, SCD2 versions, timeline of usage, transactions,
// tickets and offers, churn score with reasons, P(alive) and CLV.
import { api, ApiError } from '../api';
import { chart } from '../charts';
import { errorBox, h, loading } from '../dom';
import { fmt, toNumber } from '../format';
import { href, navigate } from '../router';
import type { Route } from '../router';
import { grid, pagedGrid, toTabular } from '../table';
import type { Customer360 } from '../types';

export function customerPage(root: HTMLElement, route: Route): void {
  const id = route.rest[0];
  const search = h('form.customer-search', {
    onsubmit: (e: Event) => { e.preventDefault(); const v = input.value.trim(); if (v) navigate('customer', [v]); },
  });
  const input = h('input', { name: 'customer', placeholder: 'Customer id', value: id ?? '', 'aria-label': 'Customer id' });
  search.append(input, h('button', { type: 'submit' }, 'Open'));
  root.append(h('header.page-head', null, h('h1', null, 'Customer 360'), search));
  if (!id) {
    root.append(h('div.card', null, h('p', null, 'Open a customer by id, or pick one from the ',
      h('a', { href: href('dashboard') }, 'dashboard'), '’s at-risk list.')));
    return;
  }
  const body = h('div.customer', null, loading());
  root.append(body);
  api.customer(id).then((c) => render(body, id, c)).catch((e) => {
    body.replaceChildren(e instanceof ApiError && e.status === 404
      ? h('div.card', null, h('p', null, `No customer has the id ${id}.`)) : errorBox(e));
  });
}

function render(body: HTMLElement, id: string, c: Customer360): void {
  const a = c.attributes ?? {};
  const name = [a.first_name, a.last_name].filter(Boolean).join(' ') || String(a.name ?? `Customer ${id}`);
  const facts = ['segment', 'plan', 'contract', 'region', 'status'].filter((k) => a[k] !== undefined && a[k] !== null)
    .map((k) => h('span.chip', { title: k }, String(a[k])));

  const score = (label: string, value: string, note: string | Node, cls = '') =>
    h('div.kpi.static', { class: cls }, h('span.kpi-label', null, label), h('span.kpi-value', null, value), h('span.kpi-hint', null, note));
  const pChurn = c.churn ? toNumber(c.churn.p_churn) : null;
  const scores = h('section.kpis.four', { 'aria-label': 'Scores' },
    score('Churn probability', fmt.pct(pChurn, 0), c.churn ? 'next 90 days' : 'run custlake churn score', pChurn !== null && pChurn >= 0.5 ? 'danger' : ''),
    score('P(alive)', fmt.pct(c.clv ? toNumber(c.clv.p_alive) : null, 0), c.clv ? 'still buying (BG/NBD)' : 'run custlake clv fit'),
    score('CLV, 12 months', fmt.money(c.clv ? toNumber(c.clv.clv_12m) : null), c.clv ? 'discounted' : 'run custlake clv fit'),
    score('Expected purchases', fmt.num(c.clv ? toNumber(c.clv.expected_purchases_12m) : null, 1), c.clv ? 'next 12 months' : 'run custlake clv fit'));

  const reasons = h('section.card', { 'aria-label': 'Churn reasons' }, h('h2', null, 'Why this churn score'),
    c.churn?.reasons?.length ? h('ol.reason-list', null, c.churn.reasons.map((r) => h('li', null, r)))
      : h('p.muted', null, c.churn ? 'The model gave no reasons for this customer.' : 'No churn score yet: run custlake churn score.'));

  const attrs = h('section.card', { 'aria-label': 'Attributes' }, h('h2', null, 'Attributes'), grid(toTabular(a)));
  const versions = h('section.card.wide', { 'aria-label': 'History' }, h('h2', null, 'History ', h('span.muted', null, '(SCD2 versions of the customer dimension)')),
    grid(toTabular(c.versions ?? []), { empty: 'No versions.' }));

  const timelineBox = h('div.chart', { id: 'chart-timeline' });
  const timeline = h('section.card.wide', { 'aria-label': 'Timeline' },
    h('h2', null, 'Timeline ', h('span.muted', null, `(${(c.timeline ?? []).length.toLocaleString('en-US')} events: usage, transactions, tickets, offers)`)),
    c.timeline?.length ? [timelineBox, h('h3', null, 'Events, newest first'),
      pagedGrid(toTabular([...c.timeline].sort((x, y) => String(y.date).localeCompare(String(x.date)))), 20)]
      : h('p.muted', null, 'No events.'));

  body.replaceChildren(
    h('div.customer-head', null, h('h2.customer-name', null, name, h('span.muted', null, ` #${id}`)), facts),
    scores, h('div.cards', null, reasons, attrs, versions, timeline));
  if (c.timeline?.length) drawTimeline(timelineBox, c.timeline);
}

function drawTimeline(el: HTMLElement, events: Customer360['timeline']): void {
  const kinds = [...new Set(events.map((e) => e.kind))].sort();
  chart(el, {
    tooltip: { trigger: 'item', formatter: (p: { value: [string, string, string] }) => `${p.value[0]} · ${p.value[1]}<br>${escapeHtml(p.value[2])}` },
    legend: { top: 0 },
    grid: { left: 96, right: 24, top: 32, bottom: 48 },
    xAxis: { type: 'time' },
    yAxis: { type: 'category', data: kinds },
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 14, bottom: 6 }],
    series: kinds.map((k) => ({
      name: k, type: 'scatter', symbolSize: 8,
      data: events.filter((e) => e.kind === k).map((e) => [e.date, e.kind, e.detail]),
    })),
  });
}

function escapeHtml(s: string): string {
  return String(s).replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[ch]!));
}
