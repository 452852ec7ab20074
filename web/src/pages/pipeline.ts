// Pipeline: recent runs, committed batches, quarantine counts with sample bad records and their
// reasons, check results and freshness, as the metastore records them.
import { api } from '../api';
import { errorBox, h, loading } from '../dom';
import { pagedGrid, toTabular, withColumnsFirst } from '../table';
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

/** Rows whose fields hold lists of records (a quarantine's sample bad records) get them in a fold-out under the row. */
function nestedSection(data: unknown, first: string[]): HTMLElement {
  const rows = Array.isArray(data) ? data as Record<string, unknown>[] : null;
  const nestedKey = rows?.length ? Object.keys(rows[0] ?? {}).find((k) => rows.some((r) => Array.isArray(r?.[k]))) : undefined;
  if (!rows || !nestedKey) return pagedGrid(withColumnsFirst(toTabular(data), first), 20, { cell: statusCell, empty: 'Nothing recorded.' });
  const t = withColumnsFirst(toTabular(rows.map(({ [nestedKey]: _, ...rest }) => rest)), first);
  return h('div', null, pagedGrid(t, 20, { cell: statusCell }),
    rows.map((r, i) => {
      const nested = r[nestedKey] as unknown[];
      if (!nested?.length) return null;
      const label = t.rows[i]!.slice(0, first.length - 1).filter((v: Cell) => v !== null).join(' · ');
      return h('details.samples', null, h('summary', null, `${label}: ${nested.length} ${nestedKey.replace(/_/g, ' ')}`),
        pagedGrid(toTabular(nested), 10));
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
