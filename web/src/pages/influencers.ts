// Key influencers: what moves churn, in words ("customers on a monthly contract are 3.1× as likely
// to churn"), from the churn model's SHAP values; each bar opens the customers it describes.
import { api } from '../api';
import { chart, palette } from '../charts';
import { errorBox, h, loading } from '../dom';
import { emptyChart, missingNotice } from '../empty';
import { replaceQuery } from '../router';
import type { Route } from '../router';
import { pagedGrid, toTabular } from '../table';
import type { Influencer } from '../types';

export function influencersPage(root: HTMLElement, route: Route): void {
  const body = h('div.stack', null, loading());
  const detail = h('section.drilldown', { hidden: true });
  root.append(h('header.page-head', null, h('h1', null, 'Key influencers'),
    h('span.muted', null, 'What makes a customer more likely to churn, from the churn model’s SHAP values.')), body, detail);

  const open = async (f: Influencer) => {
    route.query.set('feature', f.feature);
    route.query.set('condition', f.condition);
    replaceQuery(route.query);
    detail.hidden = false;
    const close = h('button.link', {
      onclick: () => { route.query.delete('feature'); route.query.delete('condition'); replaceQuery(route.query); detail.hidden = true; },
    }, 'Close');
    detail.replaceChildren(h('header', null, h('h2', null, capitalize(f.text)), close), loading());
    try {
      const d = await api.drilldown('influencer', { feature: f.feature, condition: f.condition });
      detail.replaceChildren(detail.firstChild!, pagedGrid(toTabular(d), 25, { empty: 'No customers match this factor.' }));
    } catch (e) {
      detail.replaceChildren(detail.firstChild!, errorBox(e));
    }
    detail.scrollIntoView({ block: 'nearest' });
  };

  api.influencers().then((d) => {
    const factors = [...(d.factors ?? [])].sort((a, b) => b.ratio - a.ratio);
    if (!factors.length) {
      body.replaceChildren(missingNotice(d.missing) ?? h('div.card', null, emptyChart('The churn model found no factors.')));
      return;
    }
    const box = h('div.chart', { id: 'chart-influencers', style: `height:${Math.max(240, 40 * factors.length + 60)}px` });
    const list = h('ol.factor-list', null, factors.map((f) => h('li', null,
      h('button.link', { onclick: () => void open(f) }, capitalize(f.text)),
      h('span.muted.small', null, ` · ${f.customers.toLocaleString('en-US')} customers`))));
    body.replaceChildren(...[missingNotice(d.missing),
      h('section.card', { 'aria-label': 'Factors' }, h('h2', null, 'Churn likelihood relative to other customers ',
        h('span.muted', null, '(click a bar for its customers)')), box),
      h('section.card', { 'aria-label': 'Factors in words' }, h('h2', null, 'In words'), list)].filter((x): x is HTMLElement => !!x));
    const c = chart(box, {
      tooltip: { trigger: 'item', formatter: (p: { dataIndex: number }) => `${capitalize(factors[p.dataIndex]!.text)}<br>${factors[p.dataIndex]!.customers.toLocaleString('en-US')} customers` },
      grid: { left: 8, right: 56, top: 8, bottom: 28, containLabel: true },
      xAxis: { type: 'value', name: '× as likely', nameLocation: 'middle', nameGap: 22, min: 0 },
      yAxis: {
        type: 'category', inverse: true, data: factors.map((f) => f.condition || f.feature),
        axisLabel: { width: 260, overflow: 'truncate' },
      },
      series: [{
        type: 'bar', data: factors.map((f) => f.ratio), cursor: 'pointer',
        itemStyle: { color: (p: { value: number }) => (p.value >= 1 ? palette[3] : palette[2]) },
        label: { show: true, position: 'right', formatter: (p: { value: number }) => `${p.value.toFixed(1)}×` },
        markLine: { silent: true, symbol: 'none', data: [{ xAxis: 1 }], lineStyle: { color: '#98a2b3', type: 'dashed' }, label: { show: false } },
      }],
    });
    c.on('click', (p) => { const f = factors[(p as { dataIndex: number }).dataIndex]; if (f) void open(f); });
    const selected = factors.find((f) => f.feature === route.query.get('feature') && f.condition === route.query.get('condition'));
    if (selected) void open(selected);
  }).catch((e) => body.replaceChildren(errorBox(e)));
}

function capitalize(s: string): string { return s ? s[0]!.toUpperCase() + s.slice(1) : s; }
