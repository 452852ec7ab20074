// Empty states: what is not computed yet and the command that computes it (from the API's "missing").
import { h } from './dom';
import type { Missing } from './types';

const SAYINGS: Record<string, string> = {
  churn: 'Churn scores are not computed yet',
  clv: 'CLV scores are not computed yet',
  warehouse: 'No warehouse version is built yet',
};

/** "needs churn scores": what a number waits for, short enough for a KPI card. */
export function needs(m: Missing): string {
  return `needs ${m.what === 'clv' ? 'CLV' : m.what} ${m.what === 'warehouse' ? 'build' : 'scores'}`;
}

/** "Churn scores are not computed yet" for {what: "churn"}; other names as they come. */
export function describeMissing(m: Missing): string {
  return SAYINGS[m.what.toLowerCase()] ?? `${m.what[0]?.toUpperCase()}${m.what.slice(1)} is not there yet`;
}

export function missingNotice(missing: Missing[] | undefined): HTMLElement | null {
  if (!missing?.length) return null;
  return h('section.notice', { role: 'status' },
    h('ul', null, missing.map((m) => h('li', null, `${describeMissing(m)}: run `, h('code', null, m.run), '.'))));
}

/** A placeholder inside a chart's card, where the chart has nothing to draw. */
export function emptyChart(message: string, run?: string): HTMLElement {
  return h('div.empty-chart', null, h('p', null, message), run ? h('code', null, run) : null);
}

/** The missing entry whose "what" mentions one of the words, for a panel's own empty state. */
export function missingFor(missing: Missing[] | undefined, ...words: string[]): Missing | undefined {
  return missing?.find((m) => words.some((w) => m.what.toLowerCase().includes(w)));
}
