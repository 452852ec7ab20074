// The at-risk list: customers by value at risk, each linking to its Customer 360 page.
import { h } from '../dom';
import { fmt } from '../format';
import { href } from '../router';
import type { AtRiskRow } from '../types';

export function atRiskTable(rows: AtRiskRow[]): HTMLElement {
  return h('div.grid-wrap', null, h('table.grid.at-risk', null,
    h('colgroup', null, h('col.customer'), h('col.label'), h('col.score'), h('col.money'), h('col.money'), h('col.reasons')),
    h('thead', null, h('tr', null,
      h('th', null, 'Customer'), h('th', null, 'Segment, plan'),
      h('th.num', null, 'P(churn)'), h('th.num', null, 'CLV'), h('th.num', null, 'Value at risk'), h('th', null, 'Top reasons'))),
    h('tbody', null, rows.map((r) => h('tr', null,
      h('td', null, h('a.customer-link', { href: href('customer', [r.customer_id]) }, r.name || `#${r.customer_id}`),
        h('span.muted.small', null, ` #${r.customer_id}`)),
      h('td', null, r.segment, h('br'), h('span.muted', null, r.plan)),
      h('td.num', null, h('span.meter', { style: `--v:${Math.min(1, Math.max(0, r.p_churn))}` }), fmt.pct(r.p_churn, 0)),
      h('td.num', null, fmt.money(r.clv)),
      h('td.num', null, h('strong', null, fmt.money(r.value_at_risk))),
      h('td', null, h('ul.reasons', null, (r.reasons ?? []).slice(0, 3).map((x) => h('li', null, x)))))))));
}
