// A drill-down's lineage columns as the one thing a reader wants: where each row came from.
// `_source_file` + `_source_line` (a landing file) read "usage/2025-12-01.ndjson:17"; `_source` +
// `_source_table` + `_source_key` (an import) read "sic.db · transactions · transaction_id = 4097";
// the full path stays in the API's columns (and the SQL editor) for whoever needs it.
import type { Tabular } from './table';
import type { Cell } from './types';

const LINEAGE = ['_source', '_source_file', '_source_line', '_source_table', '_source_key'];

/** The last two parts of a path or URL ("sqlite:/a/b/sic.db" -> "b/sic.db"; "/x/landing/usage (ndjson)" -> "landing/usage (ndjson)"). */
export function shortSource(s: string): string {
  const parts = s.replace(/^[a-z]+:/i, '').split('/').filter(Boolean);
  return parts.slice(-2).join('/');
}

function record(get: (c: string) => Cell): string | null {
  const file = get('_source_file');
  if (file !== null && file !== '') {
    const line = get('_source_line');
    return `${shortSource(String(file))}${line !== null ? `:${line}` : ''}`;
  }
  const source = get('_source');
  const parts = [source !== null ? shortSource(String(source)) : null, get('_source_table'), get('_source_key')]
    .filter((x) => x !== null && x !== '');
  return parts.length ? parts.join(' · ') : null;
}

/** The table with its lineage columns replaced by one "source record" column (first of them), `_source_batch` named "lake batch"; others as they were. */
export function withSourceRecord(t: Tabular): Tabular {
  const present = LINEAGE.filter((c) => t.columns.includes(c));
  if (!present.length) return t;
  const at = Math.min(...present.map((c) => t.columns.indexOf(c)));
  const keep = t.columns.map((c, i) => (LINEAGE.includes(c) ? -1 : i)).filter((i) => i >= 0);
  const columns = keep.map((i) => t.columns[i]!);
  const insertAt = keep.filter((i) => i < at).length;
  columns.splice(insertAt, 0, 'source record');
  const batch = columns.indexOf('_source_batch');
  if (batch >= 0) columns[batch] = 'lake batch';
  const rows = t.rows.map((r) => {
    const out: Cell[] = keep.map((i) => r[i] ?? null);
    out.splice(insertAt, 0, record((c) => r[t.columns.indexOf(c)] ?? null));
    return out;
  });
  return { columns, rows };
}
