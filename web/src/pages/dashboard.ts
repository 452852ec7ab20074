// Dashboard: KPI cards (each drilling down to its rows), charts and the at-risk list, all under
// one filter bar whose state is in the URL.
import { api, ApiError } from '../api';
import { errorBox, h, loading } from '../dom';
import { describeMissing, emptyChart, missingFor, missingNotice, needs } from '../empty';
import { filterBar, filtersFrom } from '../filters';
import type { Filters } from '../filters';
import { fmt } from '../format';
import { href, replaceQuery } from '../router';
import type { Route } from '../router';
import { withSourceRecord } from '../source_record';
import { pagedGrid, toTabular } from '../table';
import type { AtRisk, Dashboard, Kpis, Missing, Retention } from '../types';
import { atRiskTable } from './at_risk';
import { retentionCard } from './retention';
import { cohortHeatmap, churnByMonth, clvDistribution, ticketsVsChurn, usageTrend } from './dashboard_charts';

const KPIS: { key: keyof Kpis; label: string; format: (v: number | null) => string; hint: string; needs: string[] }[] = [
  { key: 'active_customers', label: 'Active customers', format: fmt.int, hint: 'at the end of the period', needs: [] },
  { key: 'monthly_churn_rate', label: 'Monthly churn rate', format: (v) => fmt.pct(v, 2), hint: 'churned per month, average', needs: [] },
  { key: 'revenue', label: 'Revenue', format: fmt.moneyCompact, hint: 'in the period', needs: [] },
  { key: 'avg_clv', label: 'Average CLV', format: fmt.money, hint: '12-month, per customer', needs: ['clv'] },
  { key: 'value_at_risk', label: 'Value at risk', format: fmt.moneyCompact, hint: 'CLV × P(churn), summed', needs: ['churn', 'clv'] },
];

export function dashboardPage(root: HTMLElement, route: Route): void {
  const query = route.query;
  const body = h('div.dashboard');
  const drill = h('section.drilldown', { hidden: true });
  let generation = 0;

  const load = async (f: Filters) => {
    const mine = ++generation;
    body.replaceChildren(loading());
    try {
      // The plan is optional: its failure shows in its card, not instead of the dashboard.
      const [d, risk, plan] = await Promise.all([api.dashboard(f), api.atRisk(f, 25),
        api.retention(50).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))))]);
      if (mine !== generation) return;
      renderBody(body, d, risk, plan, openDrill, drill);
      const metric = query.get('drill');
      if (metric) void showDrill(metric, f);
      else drill.hidden = true;
    } catch (e) {
      if (mine !== generation) return;
      // No warehouse yet is a state to explain, not an error.
      const notice = e instanceof ApiError ? missingNotice(e.missing) : null;
      body.replaceChildren(notice ?? errorBox(e));
    }
  };

  const showDrill = async (metric: string, f: Filters) => {
    const kpi = KPIS.find((k) => k.key === metric);
    drill.hidden = false;
    const close = h('button.link', { onclick: () => { query.delete('drill'); replaceQuery(query); drill.hidden = true; } }, 'Close');
    drill.replaceChildren(h('header', null, h('h2', null, `Rows behind: ${kpi?.label ?? metric}`), close), loading());
    try {
      const d = await api.drilldown(metric, f);
      drill.replaceChildren(drill.firstChild!, h('p.muted', null,
        'Each row names where it came from: the raw file and line, or the source table and key.' +
        (d.truncated ? ` Only the first ${d.rows.length.toLocaleString('en-US')} rows are shown (the server's row limit): narrow the filters, or query the rest in the SQL editor.` : '')),
      pagedGrid(withSourceRecord(toTabular(d)), 25, { empty: 'No rows behind this number for these filters.' }));
    } catch (e) {
      drill.replaceChildren(drill.firstChild!, errorBox(e));
    }
    drill.scrollIntoView({ block: 'nearest' });
  };
  const openDrill = (metric: string) => {
    query.set('drill', metric);
    replaceQuery(query);
    void showDrill(metric, filtersFrom(query));
  };

  root.append(
    h('header.page-head', null, h('h1', null, 'Dashboard')),
    filterBar(query, (f) => void load(f)),
    body);
  void load(filtersFrom(query));
}

function renderBody(
  body: HTMLElement, d: Dashboard, risk: AtRisk, plan: Retention | Error, drill: (m: string) => void,
  drillPanel: HTMLElement,
): void {
  const missing: Missing[] = [...(d.missing ?? [])];
  for (const m of risk.missing ?? []) if (!missing.some((x) => x.what === m.what)) missing.push(m);

  const cards = h('section.kpis', { 'aria-label': 'Key figures' }, KPIS.map((k) => {
    const v = d.kpis?.[k.key] ?? null;
    const absent = v === null ? missingFor(missing, ...k.needs) : undefined;
    return h('button.kpi', {
      type: 'button', dataset: { kpi: k.key }, title: `${k.hint}. Click for the rows behind it.`,
      disabled: v === null, onclick: () => drill(k.key),
    },
    h('span.kpi-label', null, k.label),
    h('span.kpi-value', null, k.format(v)),
    h('span.kpi-hint', { title: absent ? `Run: ${absent.run}` : undefined }, absent ? needs(absent) : v === null ? 'Not available' : k.hint));
  }));

  const panel = (title: string, id: string, draw: (el: HTMLElement) => void, empty: HTMLElement | null, width?: 'span2' | 'wide') => {
    const box = h('div.chart', { id: `chart-${id}` });
    const card = h('section.card', { class: width, 'aria-label': title }, h('h2', null, title), empty ?? box);
    if (!empty) queueMicrotask(() => draw(box));
    return card;
  };
  const noRows = (what: string, ...needs: string[]) => {
    const m = missingFor(missing, ...needs);
    return m ? emptyChart(`${describeMissing(m)}. Run:`, m.run) : emptyChart(`No ${what} for these filters.`);
  };

  // Three columns: churn by month and the cohorts wide, the usage trend along the bottom.
  const charts = h('div.cards.dash', null,
    panel('Churn rate by month and segment', 'churn-by-month', (el) => churnByMonth(el, d.churn_by_month),
      d.churn_by_month?.length ? null : noRows('churn by month'), 'span2'),
    panel('Support tickets vs churn', 'tickets-vs-churn', (el) => ticketsVsChurn(el, d.tickets_vs_churn),
      d.tickets_vs_churn?.length ? null : noRows('tickets')),
    panel('Cohort retention', 'cohort-retention', (el) => cohortHeatmap(el, d.cohort_retention),
      d.cohort_retention?.length ? null : noRows('cohorts'), 'span2'),
    panel('CLV distribution', 'clv-distribution', (el) => clvDistribution(el, d.clv_distribution),
      d.clv_distribution?.length ? null : noRows('CLV scores', 'clv')),
    panel('Usage trend', 'usage-trend', (el) => usageTrend(el, d.usage_trend),
      d.usage_trend?.length ? null : noRows('usage'), 'wide'));

  const riskCard = h('section.card.wide', { 'aria-label': 'Customers at risk' },
    h('h2', null, 'Customers at risk', h('span.muted', null, ' · by value at risk (CLV × churn probability)')),
    risk.rows?.length ? atRiskTable(risk.rows)
      : noRows('customers at risk', 'churn', 'clv'));

  // The rows behind a KPI open right under the KPIs.
  body.replaceChildren(...[missingNotice(missing), cards, drillPanel, charts, retentionCard(plan), riskCard].filter((x): x is HTMLElement => !!x),
    h('p.footnote', null, `Warehouse version ${d.warehouse_version}. `, h('a', { href: href('influencers') }, 'What drives churn →')));
}
