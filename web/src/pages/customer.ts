// Customer 360: one customer's attributes, SCD2 versions, timeline of usage, transactions,
// tickets and offers, churn score with reasons, P(alive) and CLV.
import { api, ApiError } from '../api';
import { chart, palette } from '../charts';
import { errorBox, h, loading } from '../dom';
import { fmt, parseTimestamp, toNumber } from '../format';
import { href, navigate } from '../router';
import type { Route } from '../router';
import { grid, pagedGrid, toTabular, withColumnsFirst } from '../table';
import { withSourceRecord } from '../source_record';
import type { GridOptions } from '../table';
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
  // Only active customers are scored: a churned one has no score to wait for.
  const churned = a.status === 'churned';
  const noScore = churned ? `churned${a.churn_date ? ` on ${String(a.churn_date).slice(0, 10)}` : ''}` : 'run custlake churn score';
  const scores = h('section.kpis.four', { 'aria-label': 'Scores' },
    score('Churn probability', fmt.pct(pChurn, 0), c.churn ? 'next 90 days' : noScore, pChurn !== null && pChurn >= 0.5 ? 'danger' : ''),
    score('P(alive)', fmt.pct(c.clv ? toNumber(c.clv.p_alive) : null, 0), c.clv ? 'still buying (BG/NBD)' : 'run custlake clv fit'),
    score('CLV, 12 months', fmt.money(c.clv ? toNumber(c.clv.clv_12m) : null), c.clv ? 'discounted' : 'run custlake clv fit'),
    score('Expected purchases', fmt.num(c.clv ? toNumber(c.clv.expected_purchases_12m) : null, 1), c.clv ? 'next 12 months' : 'run custlake clv fit'));

  const reasons = h('section.card.wide', { 'aria-label': 'Churn reasons' }, h('h2', null, 'Why this churn score'),
    c.churn?.reasons?.length ? h('ol.reason-list', null, c.churn.reasons.map((r) => h('li', null, r)))
      : h('p.muted', null, c.churn ? 'The model gave no reasons for this customer.'
        : churned ? `This customer ${noScore}; churn scores are for active customers.` : 'No churn score yet: run custlake churn score.'));

  const attrs = h('section.card.wide', { 'aria-label': 'Attributes' }, h('h2', null, 'Attributes'),
    h('dl.attrs', null, Object.entries(a).filter(([k]) => !SCD2_COLUMNS.includes(k)).map(([k, v]) =>
      h('div', null, h('dt', null, k.replace(/_/g, ' ')), h('dd', null, v === null ? h('span.null', null, '—') : String(v))))));

  const versions = h('section.card.wide', { 'aria-label': 'History' },
    h('h2', null, 'History ', h('span.muted', null, '(SCD2 versions of the customer dimension: the columns that changed)')),
    versionsTable(c.versions ?? []));

  const events = [...(c.timeline ?? [])].sort((x, y) => String(y.date).localeCompare(String(x.date)));
  const timelineBox = h('div.chart', { id: 'chart-timeline' });
  const timeline = h('section.card.wide', { 'aria-label': 'Timeline' },
    h('h2', null, 'Timeline ', h('span.muted', null, `(${events.length.toLocaleString('en-US')} newest events: usage, transactions, tickets, offers)`)),
    events.length ? [timelineBox, h('h3', null, 'Events, newest first'),
      pagedGrid(withSourceRecord(withColumnsFirst(toTabular(events), ['date', 'kind', 'detail'])), 20)]
      : h('p.muted', null, 'No events.'));

  body.replaceChildren(
    h('div.customer-head', null, h('h2.customer-name', null, name, h('span.muted', null, ` #${id}`)), facts),
    scores, h('div.cards', null, reasons, attrs, versions, timeline));
  if (events.length) drawTimeline(timelineBox, events);
}

/** The dimension's bookkeeping columns, shown in the history rather than among the attributes. */
const SCD2_COLUMNS = ['customer_key', 'valid_from', 'valid_to', 'is_current', 'version', 'version_updated_at'];
const VALIDITY = ['version', 'valid_from', 'valid_to', 'is_current'];

/** The versions with their validity and only the columns whose values differ between them. */
function versionsTable(versions: Record<string, unknown>[]): HTMLElement {
  const all = toTabular(versions);
  const changing = all.columns.filter((c, i) => !SCD2_COLUMNS.includes(c)
    && new Set(all.rows.map((r) => JSON.stringify(r[i]))).size > 1);
  const t = withColumnsFirst(all, [...VALIDITY, ...changing]);
  const keep = t.columns.filter((c) => VALIDITY.includes(c) || changing.includes(c)).length;
  // The dimension's open ends (1900-01-01, 9999-12-31) said in words.
  const cell: GridOptions['cell'] = (column, v) =>
    column === 'valid_from' && String(v).startsWith('1900-01-01') ? h('span.muted', null, 'from the start')
      : column === 'valid_to' && String(v).startsWith('9999-12-31') ? h('span.muted', null, 'still valid') : null;
  return h('div', null, grid({ columns: t.columns.slice(0, keep), rows: t.rows.map((r) => r.slice(0, keep)) }, { empty: 'No versions.', cell }),
    versions.length === 1 ? h('p.muted.small', null, 'One version: nothing tracked has changed since the customer signed up.') : null);
}

/** One colour per kind of event, the same on every customer's page. */
const KIND_COLOURS: Record<string, string> = { usage: palette[0]!, transaction: palette[1]!, ticket: palette[3]!, offer: palette[2]! };

function drawTimeline(el: HTMLElement, events: Customer360['timeline']): void {
  const kinds = [...new Set(events.map((e) => e.kind))].sort();
  const colour = (k: string) => KIND_COLOURS[k] ?? palette[4 + (kinds.indexOf(k) % 4)];
  chart(el, {
    tooltip: {
      trigger: 'item',
      formatter: (p: { value: [number, string, string] }) =>
        `${new Date(p.value[0]).toISOString().slice(0, 16).replace('T', ' ')} · ${p.value[1]}<br>${escapeHtml(p.value[2])}`,
    },
    grid: { left: 96, right: 24, top: 16, bottom: 48 },
    xAxis: { type: 'time' },
    yAxis: { type: 'category', data: kinds },
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 14, bottom: 6 }],
    series: kinds.map((k) => ({
      name: k, type: 'scatter', symbolSize: 8, itemStyle: { color: colour(k) },
      data: events.filter((e) => e.kind === k).map((e) => [parseTimestamp(e.date), e.kind, e.detail]),
    })),
  });
}

function escapeHtml(s: string): string {
  return String(s).replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[ch]!));
}
