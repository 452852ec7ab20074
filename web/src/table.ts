// Data grids: any tabular JSON (columns + rows, or a list of objects) as an HTML table.
import { h } from './dom';
import type { Cell } from './types';

export interface Tabular { columns: string[]; rows: Cell[][] }

/** Reads {columns, rows} (columns as names or {name}) or a list of objects into columns and rows. */
export function toTabular(data: unknown): Tabular {
  if (Array.isArray(data)) {
    const columns: string[] = [];
    for (const row of data) {
      if (row && typeof row === 'object' && !Array.isArray(row)) {
        for (const k of Object.keys(row)) if (!columns.includes(k)) columns.push(k);
      }
    }
    const rows = data.map((row) => columns.map((c) => toCell((row as Record<string, unknown>)?.[c])));
    return { columns, rows };
  }
  if (data && typeof data === 'object' && 'rows' in data) {
    const d = data as { columns?: unknown[]; rows: unknown[] };
    if (d.rows.length && !Array.isArray(d.rows[0])) return toTabular(d.rows);
    const columns = (d.columns ?? []).map((c) => (typeof c === 'string' ? c : String((c as { name: string }).name)));
    return { columns, rows: d.rows.map((r) => (r as unknown[]).map(toCell)) };
  }
  if (data && typeof data === 'object') {
    // One record: a two-column key/value table.
    return { columns: ['name', 'value'], rows: Object.entries(data).map(([k, v]) => [k, toCell(v)]) };
  }
  return { columns: [], rows: [] };
}

function toCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

/** The same table with the named columns first (those present), the others after in their order. */
export function withColumnsFirst(t: Tabular, first: string[]): Tabular {
  const order = [...first.filter((c) => t.columns.includes(c)), ...t.columns.filter((c) => !first.includes(c))];
  const index = order.map((c) => t.columns.indexOf(c));
  return { columns: order, rows: t.rows.map((r) => index.map((i) => r[i] ?? null)) };
}

export interface GridOptions {
  /** Renders a cell specially (a link, a bar); return null for the default text. */
  cell?: (column: string, value: Cell, row: Cell[]) => Node | null;
  empty?: string;
  className?: string;
  /** The header shown for a column (default: its name). */
  header?: (column: string) => string;
}

export function grid(t: Tabular, opts: GridOptions = {}): HTMLElement {
  if (!t.rows.length) return h('div.empty-small', null, opts.empty ?? 'No rows.');
  const numeric = t.columns.map((_, i) => t.rows.every((r) => r[i] === null || typeof r[i] === 'number'
    || (typeof r[i] === 'string' && /^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(r[i] as string))));
  return h('div.grid-wrap', { class: opts.className },
    h('table.grid', null,
      h('thead', null, h('tr', null, t.columns.map((c) => h('th', { title: c }, opts.header?.(c) ?? c)))),
      h('tbody', null, t.rows.map((r) => h('tr', null, r.map((v, i) => {
        const special = opts.cell?.(t.columns[i]!, v, r);
        return h('td', { class: numeric[i] ? 'num' : undefined, title: v === null ? 'NULL' : String(v) },
          special ?? (v === null ? h('span.null', null, 'NULL') : String(v)));
      }))))));
}

/** The same table without the columns that are empty (NULL or '') in every row. */
export function withoutEmptyColumns(t: Tabular): Tabular {
  const keep = t.columns.map((_, i) => t.rows.some((r) => r[i] !== null && r[i] !== ''));
  return { columns: t.columns.filter((_, i) => keep[i]), rows: t.rows.map((r) => r.filter((_, i) => keep[i])) };
}

/** A grid paged in the browser, with previous/next buttons. */
export function pagedGrid(t: Tabular, pageSize = 50, opts: GridOptions = {}): HTMLElement {
  const wrap = h('div.paged');
  let page = 0;
  const pages = Math.max(1, Math.ceil(t.rows.length / pageSize));
  const render = () => {
    const slice = { columns: t.columns, rows: t.rows.slice(page * pageSize, (page + 1) * pageSize) };
    wrap.replaceChildren(grid(slice, opts), pages > 1 ? pager(page, pages, t.rows.length, (p) => { page = p; render(); }) : '');
  };
  render();
  return wrap;
}

export function pager(page: number, pages: number, total: number, go: (p: number) => void, note = ''): HTMLElement {
  return h('div.pager', null,
    h('button', { disabled: page <= 0, onclick: () => go(page - 1) }, '‹ Prev'),
    h('span', null, `Page ${page + 1} of ${pages} · ${total.toLocaleString('en-US')} rows${note}`),
    h('button', { disabled: page >= pages - 1, onclick: () => go(page + 1) }, 'Next ›'));
}
