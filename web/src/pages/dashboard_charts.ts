// The dashboard's ECharts options, one function per chart.
import { chart, palette } from '../charts';
import { fmt } from '../format';
import type { Dashboard } from '../types';

const grid = { left: 56, right: 16, top: 36, bottom: 36, containLabel: false };
/** Percent ticks, with a decimal where whole percents would repeat (0.5 % steps). */
const pctAxis = { type: 'value', axisLabel: { formatter: (v: number) => fmt.pct(v, Math.abs(v * 100 - Math.round(v * 100)) > 1e-9 ? 1 : 0) } };
const COHORTS_SHOWN = 12;

export function churnByMonth(el: HTMLElement, rows: Dashboard['churn_by_month']): void {
  const months = [...new Set(rows.map((r) => r.month))].sort();
  const segments = [...new Set(rows.map((r) => r.segment))].sort();
  chart(el, {
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => fmt.pct(v, 2) },
    legend: { top: 0, type: 'scroll' },
    grid,
    xAxis: { type: 'category', data: months, axisLabel: { formatter: (m: string) => m.slice(0, 7) } },
    yAxis: pctAxis,
    series: segments.map((s) => ({
      name: s, type: 'line', showSymbol: months.length < 24,
      data: months.map((m) => rows.find((r) => r.month === m && r.segment === s)?.churn_rate ?? null),
    })),
  });
}

export function cohortHeatmap(el: HTMLElement, rows: Dashboard['cohort_retention']): void {
  const cohorts = [...new Set(rows.map((r) => r.cohort))].sort();
  const offsets = [...new Set(rows.map((r) => r.month_offset))].sort((a, b) => a - b);
  chart(el, {
    tooltip: {
      position: 'top',
      formatter: (p: { value: [number, number, number] }) =>
        `Cohort ${cohorts[p.value[1]]?.slice(0, 7)}, month ${offsets[p.value[0]]}: ${fmt.pct(p.value[2], 1)} retained`,
    },
    grid: { left: 72, right: cohorts.length > COHORTS_SHOWN ? 40 : 16, top: 8, bottom: 64 },
    xAxis: { type: 'category', data: offsets, name: 'Months since signup', nameLocation: 'middle', nameGap: 26, splitArea: { show: true } },
    yAxis: { type: 'category', data: cohorts.map((c) => c.slice(0, 7)), inverse: true, splitArea: { show: true } },
    // Many cohorts: the newest twelve at first, the slider on the right scrolls to the others.
    dataZoom: cohorts.length > COHORTS_SHOWN ? [{
      type: 'slider', yAxisIndex: 0, right: 8, width: 14, showDetail: false,
      startValue: cohorts.length - COHORTS_SHOWN, endValue: cohorts.length - 1,
    }, { type: 'inside', yAxisIndex: 0 }] : [],
    visualMap: {
      min: 0, max: 1, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, itemWidth: 10,
      inRange: { color: ['#fdecea', '#9ec5f8', '#2f6fde'] }, text: ['100%', '0%'],
    },
    series: [{
      type: 'heatmap',
      data: rows.map((r) => [offsets.indexOf(r.month_offset), cohorts.indexOf(r.cohort), r.retention]),
      label: { show: offsets.length <= 18, formatter: (p: { value: number[] }) => fmt.pct(p.value[2], 0), fontSize: 10 },
    }],
  });
}

export function clvDistribution(el: HTMLElement, rows: Dashboard['clv_distribution']): void {
  chart(el, {
    tooltip: {
      trigger: 'axis',
      formatter: (p: { dataIndex: number }[]) => {
        const r = rows[p[0]!.dataIndex]!;
        return `${fmt.money(r.bucket_low)} to ${fmt.money(r.bucket_high)}: ${fmt.int(r.customers)} customers`;
      },
    },
    grid: { ...grid, bottom: 48 },
    xAxis: {
      type: 'category', name: '12-month CLV (from)', nameLocation: 'middle', nameGap: 30,
      data: rows.map((r) => fmt.moneyCompact(r.bucket_low)),
    },
    yAxis: { type: 'value', name: 'Customers', nameTextStyle: { align: 'left' } },
    series: [{ type: 'bar', name: 'Customers', data: rows.map((r) => r.customers), itemStyle: { color: palette[2] } }],
  });
}

export function usageTrend(el: HTMLElement, rows: Dashboard['usage_trend']): void {
  chart(el, {
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => fmt.num(v, 1) },
    grid,
    xAxis: { type: 'category', data: rows.map((r) => r.month.slice(0, 7)) },
    yAxis: { type: 'value', name: 'Avg usage per customer', nameTextStyle: { align: 'left' } },
    series: [{ type: 'line', name: 'Average usage', areaStyle: { opacity: 0.15 }, data: rows.map((r) => r.avg_usage) }],
  });
}

export function ticketsVsChurn(el: HTMLElement, rows: Dashboard['tickets_vs_churn']): void {
  const sorted = [...rows].sort((a, b) => a.tickets - b.tickets);
  chart(el, {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 56, right: 56, top: 36, bottom: 48 },
    xAxis: { type: 'category', name: 'Support tickets', nameLocation: 'middle', nameGap: 30, data: sorted.map((r) => String(r.tickets)) },
    yAxis: [
      pctAxis,
      { type: 'value', splitLine: { show: false } },
    ],
    series: [
      { type: 'bar', name: 'Churn rate', data: sorted.map((r) => r.churn_rate), itemStyle: { color: palette[3] },
        tooltip: { valueFormatter: (v: number) => fmt.pct(v, 1) } },
      { type: 'line', name: 'Customers', yAxisIndex: 1, data: sorted.map((r) => r.customers), itemStyle: { color: palette[7] } },
    ],
  });
}
