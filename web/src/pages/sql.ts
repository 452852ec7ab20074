// SQL editor: run (Ctrl-Enter) and cancel, history and saved queries, a paged result grid,
// CSV download and a chart of the result. Errors mark their position in the editor.
import { api, ApiError, postRaw } from '../api';
import { h, errorBox } from '../dom';
import { replaceQuery } from '../router';
import type { Route } from '../router';
import { sqlEditor } from '../sql/editor';
import { resultChart } from '../sql/result_chart';
import { draft, history, saved } from '../sql/saved';
import { grid, pager } from '../table';
import type { QueryResult } from '../types';

const PAGE_SIZE = 100;
const EXAMPLE = '-- Ctrl-Enter runs the query; Ctrl-Space completes table and column names.\nSELECT 42 AS answer';

/** A query id the server can cancel by (crypto.randomUUID needs a secure context; this does not). */
function newQueryId(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function sqlPage(root: HTMLElement, route: Route): void {
  const editorBox = h('div.editor', { 'aria-label': 'SQL' });
  const status = h('span.status.muted', { role: 'status' });
  const runBtn = h('button.primary', { title: 'Run (Ctrl-Enter)' }, '▶ Run');
  const cancelBtn = h('button', { disabled: true, title: 'Stop the running query' }, '■ Cancel');
  const saveBtn = h('button', { title: 'Save this query under a name' }, 'Save…');
  const csvBtn = h('button', { title: 'Download the whole result as CSV' }, '⇩ CSV');
  const results = h('section.results', { 'aria-label': 'Result' });
  const side = h('aside.sql-side');

  let running: { id: string; abort: AbortController } | null = null;
  let lastSql = '';

  const initial = route.query.get('q') ?? draft.get() ?? EXAMPLE;
  const editor = sqlEditor(editorBox, initial, () => void run(0));
  editor.view.dom.addEventListener('keyup', () => draft.set(editor.text()));

  const setRunning = (r: typeof running) => {
    running = r;
    runBtn.disabled = !!r;
    cancelBtn.disabled = !r;
  };

  const run = async (page: number, sqlText = editor.text()) => {
    if (running) return;
    if (!sqlText.trim()) { status.textContent = 'Nothing to run.'; return; }
    editor.markError(null);
    lastSql = sqlText;
    const r = { id: newQueryId(), abort: new AbortController() };
    setRunning(r);
    status.textContent = 'Running…';
    const t0 = performance.now();
    try {
      const res = await api.query(sqlText, page, PAGE_SIZE, r.id, r.abort.signal);
      if (page === 0) history.add({ sql: sqlText, at: new Date().toISOString(), ok: true, rows: res.total_rows, ms: res.elapsed_ms });
      status.textContent = `${res.total_rows.toLocaleString('en-US')} row${res.total_rows === 1 ? '' : 's'}${res.truncated ? ' (stopped at the row limit)' : ''} in ${Math.round(res.elapsed_ms ?? performance.now() - t0)} ms`;
      showResult(res);
    } catch (e) {
      if (r.abort.signal.aborted || (e instanceof ApiError && /cancel|interrupt/i.test(e.message))) {
        status.textContent = 'Cancelled.';
      } else {
        showError(e);
        if (page === 0) history.add({ sql: sqlText, at: new Date().toISOString(), ok: false });
      }
    } finally {
      setRunning(null);
      renderSide();
    }
  };

  const showError = (e: unknown) => {
    status.textContent = 'Failed.';
    const at = e instanceof ApiError && e.position !== null ? ` (at ${editor.where(e.position)}, underlined above)` : '';
    results.replaceChildren(errorBox(e instanceof Error ? new Error(e.message + at) : e));
    if (e instanceof ApiError) editor.markError(e.position);
  };

  const showResult = (res: QueryResult) => {
    const pages = Math.max(1, Math.ceil(res.total_rows / res.page_size));
    const tabGrid = h('button.tab.active', null, 'Grid');
    const tabChart = h('button.tab', { disabled: !res.rows.length }, 'Chart');
    const body = h('div.result-body');
    const showGrid = () => {
      tabGrid.classList.add('active'); tabChart.classList.remove('active');
      body.replaceChildren(grid({ columns: res.columns.map((c) => c.name), rows: res.rows }, { empty: 'The query returned no rows.' }),
        pages > 1 ? pager(res.page, pages, res.total_rows, (p) => void run(p, lastSql)) : '');
    };
    tabGrid.onclick = showGrid;
    tabChart.onclick = () => { tabChart.classList.add('active'); tabGrid.classList.remove('active'); body.replaceChildren(resultChart(res)); };
    results.replaceChildren(h('div.tabs', null, tabGrid, tabChart,
      h('span.muted.small.types', null, res.columns.map((c) => `${c.name} ${c.type}`).join(' · '))), body);
    showGrid();
  };

  const cancel = async () => {
    if (!running) return;
    const r = running;
    status.textContent = 'Cancelling…';
    try { await api.cancel(r.id); } catch { /* the query may have just ended */ }
    r.abort.abort();
  };

  const downloadCsv = async () => {
    const text = editor.text();
    if (!text.trim()) return;
    csvBtn.disabled = true;
    status.textContent = 'Preparing CSV…';
    try {
      const res = await postRaw('/api/query.csv', { sql: text });
      if (!res.ok) {
        const body = await res.json().catch(() => ({ error: `HTTP ${res.status}` })) as { error?: string; position?: number };
        throw new ApiError(body.error ?? `HTTP ${res.status}`, res.status, body.position ?? null);
      }
      const name = /filename="?([^";]+)"?/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? 'query.csv';
      const url = URL.createObjectURL(await res.blob());
      const a = h('a', { href: url, download: name });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      status.textContent = `Downloaded ${name}.`;
    } catch (e) {
      showError(e);
    } finally {
      csvBtn.disabled = false;
    }
  };

  const saveQuery = () => {
    const name = prompt('Save this query as:', '');
    if (!name?.trim()) return;
    saved.save({ name: name.trim(), sql: editor.text() });
    renderSide('saved');
  };

  let sideTab: 'tables' | 'history' | 'saved' = 'tables';
  const tablesList = h('div.side-list', null, h('p.muted', null, 'Loading tables…'));
  const open = (text: string) => { editor.setText(text); draft.set(text); editor.view.focus(); };
  const renderSide = (tab = sideTab) => {
    sideTab = tab;
    const tabs = h('div.tabs', null, (['tables', 'history', 'saved'] as const).map((t) =>
      h('button.tab', { class: t === tab ? 'active' : undefined, onclick: () => renderSide(t) }, t[0]!.toUpperCase() + t.slice(1))));
    let list: HTMLElement;
    if (tab === 'tables') list = tablesList;
    else if (tab === 'history') {
      const items = history.list();
      list = h('div.side-list', null, items.length ? items.map((e) => h('button.side-item', { title: e.sql, onclick: () => open(e.sql) },
        h('span.mono', null, e.sql.replace(/\s+/g, ' ').slice(0, 90)),
        h('span.muted.small', null, `${e.ok ? '✓' : '✗'} ${new Date(e.at).toLocaleString()}${e.rows !== undefined ? ` · ${e.rows} rows` : ''}`)))
        : h('p.muted', null, 'Queries you run appear here.'),
      items.length ? h('button.link', { onclick: () => { history.clear(); renderSide('history'); } }, 'Clear history') : null);
    } else {
      const items = saved.list();
      list = h('div.side-list', null, items.length ? items.map((q) => h('div.side-item', null,
        h('button.link', { title: q.sql, onclick: () => open(q.sql) }, q.name),
        h('button.link.small', { title: 'Delete', onclick: () => { saved.remove(q.name); renderSide('saved'); } }, '✕')))
        : h('p.muted', null, 'Save a query with “Save…”.'));
    }
    side.replaceChildren(tabs, list);
  };

  api.catalog().then((c) => {
    editor.setCatalog(c);
    const schemas = [...new Set(c.tables.map((t) => t.schema))];
    tablesList.replaceChildren(...schemas.map((schema) => h('div', null, h('h3', null, schema),
      c.tables.filter((t) => t.schema === schema).map((t) => h('details.side-table', null,
        h('summary', { title: t.description ?? undefined }, h('span.mono', null, t.name),
          t.rows !== null ? h('span.muted.small', null, ` ${t.rows.toLocaleString('en-US')}`) : ''),
        h('button.link.small', { onclick: () => open(`SELECT *\nFROM ${t.schema}.${t.name}\nLIMIT 100`) }, 'Query this table'),
        h('ul.cols', null, t.columns.map((col) => h('li', null, h('span.mono', null, col.name), ' ', h('span.muted.small', null, col.type)))))))));
  }).catch((e) => tablesList.replaceChildren(errorBox(e)));

  runBtn.onclick = () => void run(0);
  cancelBtn.onclick = () => void cancel();
  csvBtn.onclick = () => void downloadCsv();
  saveBtn.onclick = saveQuery;
  if (route.query.has('q')) { route.query.delete('q'); replaceQuery(route.query); draft.set(initial); }

  renderSide();
  root.append(
    h('header.page-head', null, h('h1', null, 'SQL editor'),
      h('span.muted', null, 'Read-only SQL over the warehouse and the raw zone (DuckDB dialect).')),
    h('div.sql-layout', null,
      h('div.sql-main', null,
        h('div.card.editor-card', null, editorBox,
          h('div.toolbar', null, runBtn, cancelBtn, saveBtn, csvBtn, status)),
        results),
      side));
  editor.view.focus();
}
