// The filter bar (segment, region, plan, date range). Its state lives in the URL's query, so a
// filtered dashboard can be bookmarked and shared; every panel of the page reads the same filters.
import { api } from './api';
import { h } from './dom';
import { replaceQuery } from './router';
import type { FilterOptions } from './types';

export const FILTER_KEYS = ['segment', 'region', 'plan', 'from', 'to'] as const;
export type Filters = Record<string, string>;

let options: Promise<FilterOptions> | null = null;
function filterOptions(): Promise<FilterOptions> {
  options ??= api.filters().catch((e) => { options = null; throw e; });
  return options;
}

export function filtersFrom(query: URLSearchParams): Filters {
  const f: Filters = {};
  for (const k of FILTER_KEYS) { const v = query.get(k); if (v) f[k] = v; }
  return f;
}

/** The bar; onChange gets the new filters after the URL has been updated. */
export function filterBar(query: URLSearchParams, onChange: (f: Filters) => void): HTMLElement {
  const bar = h('form.filter-bar', { role: 'search', 'aria-label': 'Filters', onsubmit: (e: Event) => e.preventDefault() });
  const current = filtersFrom(query);
  const emit = () => {
    for (const k of FILTER_KEYS) query.delete(k);
    for (const el of bar.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[name]')) if (el.value) query.set(el.name, el.value);
    replaceQuery(query);
    onChange(filtersFrom(query));
  };
  const select = (name: string, label: string, values: string[]) =>
    h('label.filter', null, h('span', null, label),
      h('select', { name, onchange: emit, 'aria-label': label },
        h('option', { value: '' }, `All`),
        values.map((v) => h('option', { value: v, selected: current[name] === v }, v))));
  const date = (name: string, label: string, min: string | null, max: string | null) =>
    h('label.filter', null, h('span', null, label),
      h('input', { type: 'date', name, value: current[name] ?? '', min: min ?? undefined, max: max ?? undefined, onchange: emit, 'aria-label': label }));

  bar.append(h('span.muted', null, 'Loading filters…'));
  filterOptions().then((o) => {
    bar.replaceChildren(
      select('segment', 'Segment', o.segments), select('region', 'Region', o.regions), select('plan', 'Plan', o.plans),
      date('from', 'From', o.date_min?.slice(0, 10) ?? null, o.date_max?.slice(0, 10) ?? null),
      date('to', 'To', o.date_min?.slice(0, 10) ?? null, o.date_max?.slice(0, 10) ?? null),
      h('button.link', {
        type: 'button',
        onclick: () => { for (const el of bar.querySelectorAll<HTMLInputElement>('[name]')) el.value = ''; emit(); },
      }, 'Clear'));
  }).catch((e: Error) => bar.replaceChildren(h('span.error-inline', null, `Filters unavailable: ${e.message}`)));
  return bar;
}
