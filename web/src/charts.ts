// ECharts, with only the chart types and components the pages use (tree-shaken), and a
// chart() helper that sizes the chart to its box and disposes it when the page changes.
import * as echarts from 'echarts/core';
import { BarChart, GraphChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts';
import {
  DataZoomComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent, VisualMapComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { onPageChange } from './lifecycle';

echarts.use([
  BarChart, LineChart, HeatmapChart, ScatterChart, GraphChart,
  GridComponent, TooltipComponent, LegendComponent, VisualMapComponent, TitleComponent, DataZoomComponent,
  CanvasRenderer,
]);

export type ChartOption = echarts.EChartsCoreOption;
export type Chart = echarts.ECharts;

export const palette = ['#2f6fde', '#e8833a', '#2a9d8f', '#c44e52', '#8172b3', '#937860', '#da8bc3', '#8c8c8c'];

const live = new Set<Chart>();
const observer = new ResizeObserver((entries) => {
  for (const e of entries) echarts.getInstanceByDom(e.target as HTMLElement)?.resize();
});

/** Draws option into el (which must have a height from CSS). */
export function chart(el: HTMLElement, option: ChartOption): Chart {
  const c = echarts.init(el, undefined, { renderer: 'canvas' });
  c.setOption({ color: palette, textStyle: { fontFamily: 'inherit' }, animation: false, ...option });
  observer.observe(el);
  live.add(c);
  return c;
}

/** Disposes every chart (called before a page is replaced). */
export function disposeCharts(): void {
  for (const c of live) {
    observer.unobserve(c.getDom());
    c.dispose();
  }
  live.clear();
}

onPageChange(disposeCharts);

/** Disposes the chart drawn in el, if any (to draw it again). */
export function disposeChart(el: HTMLElement): void {
  const c = echarts.getInstanceByDom(el);
  if (!c) return;
  observer.unobserve(el);
  live.delete(c);
  c.dispose();
}
