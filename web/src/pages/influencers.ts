// Key influencers: what moves churn, in words ("customers on a monthly contract are 3.1× as likely
// to churn"); each bar or sentence lists the customers it describes (current customers with that
// attribute, through the same sandboxed query endpoint as the SQL editor).
import { api } from '../api';
import { chart, palette } from '../charts';
import { errorBox, h, loading } from '../dom';
import { emptyChart, missingNotice } from '../empty';
import { href, replaceQuery } from '../router';
import type { Route } from '../router';
import { grid, pager } from '../table';
import type { Influencer, ModelReason } from '../types';
import { fmt } from '../format';

const PAGE_SIZE = 25;

/** The SQL listing the current customers a factor describes, or null if it names no attribute. */
export function customersSql(f: Influencer): string | null {
  const filter = f.filter ?? (f.value !== undefined ? { [f.feature]: f.value } : {});
  const conditions = Object.entries(filter)
    .filter(([column]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(column))
    .map(([column, value]) => `${column} = '${String(value).replace(/'/g, "''")}'`);
  if (!conditions.length) return null;
  return 'SELECT customer_id, first_name, last_name, segment, plan, contract, region, status\n'
    + `FROM dim_customer\nWHERE is_current AND ${conditions.join(' AND ')}\nORDER BY customer_id`;
}

export function influencersPage(root: HTMLElement, route: Route): void {
  const body = h('div.stack', null, loading());
  const detail = h('section.drilldown', { hidden: true, 'aria-label': 'Customers of a factor' });
  root.append(h('header.page-head', null, h('h1', null, 'Key influencers'),
    h('span.muted', null, 'Which customers churn more than the others, and by how much.')), body, detail);

  const open = async (f: Influencer, page = 0) => {
    route.query.set('factor', f.condition);
    replaceQuery(route.query);
    detail.hidden = false;
    const sql = customersSql(f);
    const close = h('button.link', {
      onclick: () => { route.query.delete('factor'); replaceQuery(route.query); detail.hidden = true; },
    }, 'Close');
    const head = h('header', null, h('h2', null, capitalize(f.text)),
      h('span', null, sql ? h('a', { href: href('sql', [], { q: sql }) }, 'Open in the SQL editor') : null, close));
    detail.replaceChildren(head, loading());
    if (!sql) { detail.replaceChildren(head, h('p.muted', null, 'This factor names no customer attribute to list customers by.')); return; }
    try {
      const r = await api.query(sql, page, PAGE_SIZE, `influencer-${Date.now()}`);
      const pages = Math.max(1, Math.ceil(r.total_rows / PAGE_SIZE));
      detail.replaceChildren(head,
        grid({ columns: r.columns.map((c) => c.name), rows: r.rows }, {
          empty: 'No current customer matches this factor.',
          cell: (col, v) => (col === 'customer_id' && v !== null ? h('a', { href: href('customer', [String(v)]) }, String(v)) : null),
        }),
        pager(page, pages, r.total_rows, (p) => void open(f, p)));
    } catch (e) {
      detail.replaceChildren(head, errorBox(e));
    }
    detail.scrollIntoView({ block: 'nearest' });
  };

  api.influencers().then((d) => {
    // A factor without a ratio is one where every churned customer had the attribute: in words only.
    const all = d.factors ?? [];
    const factors = all.filter((f) => f.ratio !== null);
    if (!all.length) {
      body.replaceChildren(missingNotice(d.missing)
        ?? h('div.card', null, emptyChart('No customer attribute makes churn much more likely (none at 1.2× or more).')));
      return;
    }
    const box = h('div.chart', { id: 'chart-influencers', style: `height:${Math.max(220, 36 * factors.length + 70)}px` });
    const list = h('ol.factor-list', null, all.map((f) => h('li', null,
      h('button.link', { onclick: () => void open(f) }, capitalize(f.text)),
      h('span.muted.small', null, ` · ${f.customers.toLocaleString('en-US')} subscriber-months`))));
    body.replaceChildren(...[missingNotice(d.missing),
      factors.length ? h('section.card', { 'aria-label': 'Factors' }, h('h2', null, 'How many times as likely to churn ',
        h('span.muted', null, '(click a bar for its customers)')), box) : null,
      h('section.card', { 'aria-label': 'Factors in words' }, h('h2', null, 'In words'), list),
      d.model_reasons?.length ? modelReasons(d.model_reasons) : null].filter((x): x is HTMLElement => !!x));
    const selected = all.find((f) => f.condition === route.query.get('factor'));
    if (selected) void open(selected);
    if (!factors.length) return;
    const ratio = (f: Influencer) => f.ratio ?? 0;
    const c = chart(box, {
      tooltip: { trigger: 'item', formatter: (p: { dataIndex: number }) => `${capitalize(factors[p.dataIndex]!.text)}<br>${factors[p.dataIndex]!.customers.toLocaleString('en-US')} subscriber-months` },
      grid: { left: 8, right: 56, top: 8, bottom: 32, containLabel: true },
      xAxis: { type: 'value', name: '× as likely to churn as the others', nameLocation: 'middle', nameGap: 24, min: 0 },
      yAxis: { type: 'category', inverse: true, data: factors.map((f) => f.condition), axisLabel: { width: box.clientWidth < 600 ? 140 : 260, overflow: 'truncate' } },
      series: [{
        type: 'bar', data: factors.map(ratio), cursor: 'pointer', barMaxWidth: 28,
        itemStyle: { color: (p: { value: number }) => (p.value >= 1 ? palette[3] : palette[2]) },
        label: { show: true, position: 'right', formatter: (p: { value: number }) => `${p.value.toFixed(1)}×` },
        markLine: { silent: true, symbol: 'none', data: [{ xAxis: 1 }], lineStyle: { color: '#98a2b3', type: 'dashed' }, label: { show: false } },
      }],
    });
    c.on('click', (p) => { const f = factors[(p as { dataIndex: number }).dataIndex]; if (f) void open(f); });
  }).catch((e) => body.replaceChildren(errorBox(e)));
}

/** The churn model's own view: its most frequent top reasons (SHAP) and the mean churn probability of those customers. */
function modelReasons(reasons: ModelReason[]): HTMLElement {
  const rows = reasons.slice(0, 15);
  const box = h('div.chart', { id: 'chart-model-reasons', style: `height:${Math.max(220, 28 * rows.length + 70)}px` });
  const long = (r: ModelReason) => `${r.customers.toLocaleString('en-US')} customers · mean P(churn) ${fmt.pct(r.mean_p_churn, 0)}`;
  queueMicrotask(() => {
    // A phone's card is too narrow for a long reason and the long label beside its bar: both shrink.
    const narrow = box.clientWidth < 600;
    const label = narrow ? (r: ModelReason) => `${r.customers.toLocaleString('en-US')} · ${fmt.pct(r.mean_p_churn, 0)}` : long;
    chart(box, {
    tooltip: { trigger: 'item', formatter: (p: { dataIndex: number }) => `${rows[p.dataIndex]!.reason}<br>${long(rows[p.dataIndex]!)}` },
    grid: { left: 8, right: narrow ? 70 : 210, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', show: false },
    yAxis: { type: 'category', inverse: true, data: rows.map((r) => r.reason), axisLabel: { width: narrow ? 150 : 300, overflow: 'truncate' } },
    series: [{
      type: 'bar', data: rows.map((r) => r.customers), barMaxWidth: 18, itemStyle: { color: palette[0] },
      label: { show: true, position: 'right', formatter: (p: { dataIndex: number }) => label(rows[p.dataIndex]!) },
    }],
    });
  });
  return h('section.card', { 'aria-label': 'Model reasons' },
    h('h2', null, 'What the churn model weighs ', h('span.muted', null, '(customers by the reasons its SHAP values give them; N stands for a number)')), box);
}

function capitalize(s: string): string { return s ? s[0]!.toUpperCase() + s.slice(1) : s; }
