// Charts a query result: the user picks the x column, one or more y columns and bar or line.
import { chart, disposeChart } from '../charts';
import { h } from '../dom';
import { toNumber } from '../format';
import type { QueryResult } from '../types';

export function resultChart(r: QueryResult): HTMLElement {
  const names = r.columns.map((c) => c.name);
  const numericCols = names.filter((_, i) => r.rows.some((row) => toNumber(row[i]) !== null)
    && r.rows.every((row) => row[i] === null || toNumber(row[i]) !== null));
  const box = h('div.chart.tall', { id: 'result-chart' });
  const x = h('select', { 'aria-label': 'x column' }, names.map((n) => h('option', { value: n }, n)));
  const y = h('select', { 'aria-label': 'y column' }, numericCols.map((n) => h('option', { value: n }, n)));
  const kind = h('select', { 'aria-label': 'chart type' }, h('option', { value: 'bar' }, 'Bar'), h('option', { value: 'line' }, 'Line'));
  const nonNumeric = names.find((n) => !numericCols.includes(n));
  x.value = nonNumeric ?? names[0] ?? '';
  y.value = numericCols.find((n) => n !== x.value) ?? numericCols[0] ?? '';
  const draw = () => {
    disposeChart(box);
    const xi = names.indexOf(x.value);
    const yi = names.indexOf(y.value);
    if (xi < 0 || yi < 0) { box.replaceChildren(h('p.muted', null, 'This result has no numeric column to chart.')); return; }
    chart(box, {
      tooltip: { trigger: 'axis' },
      grid: { left: 64, right: 24, top: 24, bottom: 56 },
      xAxis: { type: 'category', name: x.value, nameLocation: 'middle', nameGap: 34, data: r.rows.map((row) => String(row[xi] ?? 'NULL')) },
      yAxis: { type: 'value', name: y.value },
      dataZoom: r.rows.length > 60 ? [{ type: 'inside' }, { type: 'slider', height: 14, bottom: 4 }] : [],
      series: [{ type: kind.value, name: y.value, data: r.rows.map((row) => toNumber(row[yi])) }],
    });
  };
  for (const s of [x, y, kind]) s.addEventListener('change', draw);
  queueMicrotask(draw);
  return h('div.result-chart', null,
    h('div.toolbar', null, h('label', null, 'x ', x), h('label', null, 'y ', y), h('label', null, 'as ', kind),
      h('span.muted.small', null, r.truncated || r.total_rows > r.rows.length ? ' (charts the rows of this page)' : '')),
    box);
}
