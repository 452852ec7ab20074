// The retention plan on the dashboard (issue 19): what `custlake retention plan` published —
// expected saved value with its 90 % interval, customers targeted, budget, offer cost — and the
// customers it targets, best first, each linking to its Customer 360 page.
import { h } from '../dom';
import { emptyChart } from '../empty';
import { fmt } from '../format';
import { href } from '../router';
import type { Retention, RetentionRow, RetentionSummary } from '../types';

export function retentionCard(r: Retention | Error): HTMLElement {
  const card = h('section.card.wide.retention', { 'aria-label': 'Retention plan' },
    h('h2', null, 'Retention plan', h('span.muted', null, ' · who to send an offer, by expected saved value (uplift × CLV − offer cost)')));
  if (r instanceof Error) {
    card.append(h('div.error', { role: 'alert' }, r.message));
    return card;
  }
  const missing = r.missing?.find((m) => m.what === 'retention');
  if (missing || !r.summary) {
    card.append(emptyChart('The retention plan is not computed yet. Run:',
      missing?.run ?? 'custlake retention train && custlake retention plan --budget 10%'));
    return card;
  }
  card.append(summaryFigures(r.summary), planTable(r.rows, r.summary));
  return card;
}

function summaryFigures(s: RetentionSummary): HTMLElement {
  const figure = (label: string, value: string, hint: string, key: string) =>
    h('div.kpi.static', { dataset: { retention: key } },
      h('span.kpi-label', null, label), h('span.kpi-value', null, value), h('span.kpi-hint', null, hint));
  const share = s.active_customers ? s.targeted / s.active_customers : null;
  return h('div.kpis.retention-figures', null,
    figure('Expected saved value', fmt.money(s.expected_saved_value),
      `90 % interval ${fmt.money(s.saved_value_low)} to ${fmt.money(s.saved_value_high)}`, 'saved_value'),
    figure('Customers saved', fmt.num(s.expected_saved_customers, 1), 'expected, of those targeted', 'saved_customers'),
    figure('Customers targeted', fmt.int(s.targeted),
      `${fmt.pct(share, 1)} of ${fmt.int(s.active_customers)} active`, 'targeted'),
    figure('Budget', fmt.int(s.budget), 'offers', 'budget'),
    figure('Offer cost', fmt.money2(s.offer_cost), 'per offer sent', 'offer_cost'));
}

function planTable(rows: RetentionRow[], s: RetentionSummary): HTMLElement {
  const note = h('p.muted.small', null,
    `Plan of ${s.plan_date ?? '—'} (model ${s.model_version ?? '—'}), for all active customers: the dashboard's filters do not apply. `,
    rows.length < s.targeted ? `The best ${rows.length} of ${fmt.int(s.targeted)} are listed. ` : '',
    h('a', { href: href('sql', [], { q: 'SELECT *\nFROM raw.retention_plan\nORDER BY rank' }) }, 'Open the whole plan in the SQL editor'), '.');
  if (!rows.length) return h('div', null, note, h('div.empty-small', null, 'The plan targets no one.'));
  return h('div', null, note, h('div.grid-wrap', null, h('table.grid.retention-plan', null,
    h('thead', null, h('tr', null,
      h('th.num', null, '#'), h('th', null, 'Customer'), h('th.num', { title: 'Predicted reduction of the 90-day churn probability if the offer is sent' }, 'Uplift'),
      h('th.num', null, 'P(churn)'), h('th.num', null, 'CLV'), h('th.num', null, 'Expected saved value'))),
    h('tbody', null, rows.map((r) => h('tr', null,
      h('td.num', null, String(r.rank)),
      h('td', null, h('a.customer-link', { href: href('customer', [String(r.customer_id)]) }, r.name || `#${r.customer_id}`),
        h('span.muted.small', null, ` #${r.customer_id}`)),
      h('td.num', null, fmt.pct(r.uplift, 1)),
      h('td.num', null, fmt.pct(r.p_churn, 0)),
      h('td.num', null, fmt.money(r.clv)),
      h('td.num', null, h('strong', null, fmt.money(r.expected_saved_value)))))))));
}
