// Pipeline: recent runs, committed batches, quarantine counts with sample bad records and their
// reasons, check results and freshness, as the metastore records them.
import { api } from '../api';
import { errorBox, h, loading } from '../dom';
import { pagedGrid, toTabular, withColumnsFirst, withoutEmptyColumns } from '../table';
import type { Tabular } from '../table';
import type { GridOptions } from '../table';
import type { Cell } from '../types';

const STATUS_COLUMNS = new Set(['status', 'passed', 'ok', 'result', 'state']);

/** Status words and booleans as coloured chips. */
const statusCell: GridOptions['cell'] = (column, value) => {
  if (!STATUS_COLUMNS.has(column.toLowerCase()) || value === null) return null;
  const v = String(value).toLowerCase();
  const good = ['ok', 'pass', 'passed', 'true', 'success', 'succeeded', 'committed', 'fresh'].includes(v);
  const bad = ['fail', 'failed', 'false', 'error', 'stale', 'killed'].includes(v);
  return h('span.chip', { class: good ? 'good' : bad ? 'bad' : undefined }, String(value));
};

/** "2026-12-06T09:27:44.695Z" as "2026-12-06 09:27:44" (UTC), seconds and bytes in their units. */
function readable(column: string, value: Cell): string | null {
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value)) return value.slice(0, 19).replace('T', ' ');
  if (column === 'seconds' && typeof value === 'number') return value < 1 ? `${(value * 1000).toFixed(1)} ms` : `${value.toFixed(2)} s`;
  if (column === 'bytes' && typeof value === 'number') {
    return value < 1024 ? `${value} B` : value < 1 << 20 ? `${(value / 1024).toFixed(1)} KB` : `${(value / (1 << 20)).toFixed(1)} MB`;
  }
  return null;
}

/** Status chips, then readable times and sizes (the full value in the cell's title). */
const pipelineCell: GridOptions['cell'] = (column, value, row) => {
  const chip = statusCell!(column, value, row);
  if (chip) return chip;
  const text = readable(column, value);
  return text === null ? null : document.createTextNode(text);
};

const gridOptions: GridOptions = {
  cell: pipelineCell, header: (c) => c.replace(/_/g, ' '), empty: 'Nothing recorded.', className: 'fit',
};

/** The rows with the first columns in front and the columns no row fills left out (an "error" nothing had). */
function shaped(data: unknown, first: string[]): Tabular {
  return withoutEmptyColumns(withColumnsFirst(toTabular(data), first));
}

/** Rows whose fields hold lists of records (a quarantine's sample bad records) get them in a fold-out under the row. */
function nestedSection(data: unknown, first: string[]): HTMLElement {
  const rows = Array.isArray(data) ? data as Record<string, unknown>[] : null;
  const keys = new Set((rows ?? []).flatMap((r) => Object.keys(r ?? {})));
  const nestedKey = rows ? [...keys].find((k) => rows.some((r) => Array.isArray(r?.[k]))) : undefined;
  if (!rows || !nestedKey) return pagedGrid(shaped(data, first), 20, gridOptions);
  const t = withColumnsFirst(toTabular(rows.map(({ [nestedKey]: _, ...rest }) => rest)), first);
  return h('div', null, pagedGrid(withoutEmptyColumns(t), 20, gridOptions),
    rows.map((r, i) => {
      const nested = r[nestedKey] as unknown[];
      if (!nested?.length) return null;
      const label = t.rows[i]!.slice(0, first.length - 1).filter((v: Cell) => v !== null).join(' · ');
      return h('details.samples', null, h('summary', null, `${label}: ${nested.length} ${nestedKey.replace(/_/g, ' ')}`),
        pagedGrid(toTabular(nested), 10, { className: 'fit' }));
    }));
}

export function pipelinePage(root: HTMLElement): void {
  const body = h('div.stack', null, loading());
  root.append(h('header.page-head', null, h('h1', null, 'Pipeline'),
    h('span.muted', null, 'Runs, batches, quarantined records, checks and freshness of the lake.')), body);
  api.pipeline().then((p) => {
    const card = (title: string, note: string, data: unknown, first: string[]) =>
      h('section.card', { 'aria-label': title }, h('h2', null, title, note ? h('span.muted', null, ` ${note}`) : null), nestedSection(data, first));
    body.replaceChildren(
      card('Freshness', '(the newest commit to each dataset)', p.freshness, ['dataset', 'last_commit_at', 'rows', 'files', 'batches']),
      card('Runs', '(newest first)', p.runs, ['run_id', 'verb', 'status', 'started_at', 'ended_at', 'error']),
      card('Checks', '(of the current warehouse version)', p.checks, ['table', 'check', 'kind', 'passed', 'failing_rows', 'where', 'seconds']),
      card('Quarantine', '(bad records kept aside, by dataset and reason; open a line for sample records)', p.quarantine, ['dataset', 'reason', 'count']),
      card('Batches', '(committed to the lake, newest first)', p.batches,
        ['batch_id', 'dataset', 'state', 'rows', 'files', 'bytes', 'quarantined', 'started_at', 'ended_at', 'error']));
  }).catch((e) => body.replaceChildren(errorBox(e)));
}
