// Explorer: datasets and warehouse tables with columns, types, descriptions and row counts; a
// table's sample rows and column statistics; the lineage graph, each node clickable to its table.
import { api } from '../api';
import { errorBox, h, loading } from '../dom';
import { lineageChart, around } from '../lineage';
import { href, navigate } from '../router';
import type { Route } from '../router';
import { grid, toTabular } from '../table';
import type { Catalog, CatalogTable, Lineage } from '../types';

const fullName = (t: CatalogTable) => `${t.schema}.${t.name}`;

/** The catalog table a lineage node stands for (nodes name tables by "schema.name", maybe with a "kind:" prefix). */
export function tableOfNode(node: { id: string; label: string }, catalog: Catalog): CatalogTable | undefined {
  const names = [node.id, node.label, node.id.replace(/^[a-z_]+:/, '')];
  return catalog.tables.find((t) => names.includes(fullName(t)))
    ?? catalog.tables.find((t) => t.schema !== 'raw' && t.schema !== 'quarantine' && names.includes(t.name));
}

export function explorerPage(root: HTMLElement, route: Route): void {
  const selected = route.rest[0] ?? null;
  const list = h('nav.table-list', { 'aria-label': 'Tables' }, loading());
  const main = h('div.explorer-main', null, loading());
  root.append(h('header.page-head', null, h('h1', null, 'Explorer'),
    h('span.muted', null, 'Raw datasets, quarantine and warehouse tables, and how they are made.')),
  h('div.explorer', null, list, main));

  Promise.all([api.catalog(), api.lineage().catch((e: Error) => e)]).then(([catalog, lineage]) => {
    renderList(list, catalog, selected);
    const table = catalog.tables.find((t) => fullName(t) === selected);
    if (selected && !table) main.replaceChildren(h('div.card', null, h('p', null, `No table is called ${selected}.`)));
    else if (table) renderTable(main, table, catalog, lineage);
    else renderOverview(main, catalog, lineage);
  }).catch((e) => { list.replaceChildren(); main.replaceChildren(errorBox(e)); });
}

function renderList(list: HTMLElement, catalog: Catalog, selected: string | null): void {
  const filter = h('input', { type: 'search', placeholder: 'Filter tables', 'aria-label': 'Filter tables' });
  const groups = h('div');
  const draw = () => {
    const q = filter.value.toLowerCase();
    const schemas = [...new Set(catalog.tables.map((t) => t.schema))];
    groups.replaceChildren(...schemas.map((s) => {
      const tables = catalog.tables.filter((t) => t.schema === s && fullName(t).toLowerCase().includes(q));
      return tables.length ? h('div.schema', null, h('h3', null, s), h('ul', null, tables.map((t) => h('li', null,
        h('a', { href: href('explorer', [fullName(t)]), class: fullName(t) === selected ? 'active' : undefined },
          h('span', null, t.name), t.rows !== null ? h('span.muted.small', null, t.rows.toLocaleString('en-US')) : null))))) : '';
    }));
  };
  filter.addEventListener('input', draw);
  draw();
  list.replaceChildren(filter, groups);
}

function lineageCard(g: Lineage | Error, catalog: Catalog, focus: string | null, title: string): HTMLElement {
  if (g instanceof Error) return h('section.card', null, h('h2', null, title), errorBox(g));
  const focusNode = focus ? g.nodes.find((n) => tableOfNode(n, catalog) && fullName(tableOfNode(n, catalog)!) === focus) : undefined;
  const shown = focusNode ? around(g, focusNode.id) : g;
  const box = h('div.chart', { id: 'chart-lineage' });
  const card = h('section.card', { 'aria-label': 'Lineage' }, h('h2', null, title,
    h('span.muted', null, ' (click a table to open it; scroll to zoom, drag to pan)')),
  // On a phone the graph keeps a readable width and its box scrolls sideways (styles.css).
  shown.nodes.length ? h('div.chart-scroll', null, box) : h('p.muted', null, focus ? 'No lineage is recorded for this table.' : 'No lineage is recorded yet: run custlake build.'));
  if (shown.nodes.length) {
    queueMicrotask(() => lineageChart(box, shown, focusNode?.id ?? null, (id) => {
      const node = g.nodes.find((n) => n.id === id);
      const t = node && tableOfNode(node, catalog);
      if (t) navigate('explorer', [fullName(t)]);
    }));
  }
  return card;
}

function renderOverview(main: HTMLElement, catalog: Catalog, lineage: Lineage | Error): void {
  main.replaceChildren(
    h('section.card', null, h('h2', null, `${catalog.tables.length} tables`),
      grid({
        columns: ['table', 'rows', 'columns', 'description'],
        rows: catalog.tables.map((t) => [fullName(t), t.rows, t.columns.length, t.description]),
      }, { cell: (col, v) => (col === 'table' ? h('a', { href: href('explorer', [String(v)]) }, String(v)) : null) })),
    lineageCard(lineage, catalog, null, 'Lineage'));
}

function renderTable(main: HTMLElement, t: CatalogTable, catalog: Catalog, lineage: Lineage | Error): void {
  const sample = h('div', { id: 'table-sample' }, loading());
  const stats = h('div', { id: 'table-stats' }, loading());
  main.replaceChildren(
    h('section.card', null,
      h('div.table-head', null, h('h2', null, fullName(t)),
        h('span.muted', null, t.rows !== null ? `${t.rows.toLocaleString('en-US')} rows · ` : '', `${t.columns.length} columns`),
        h('a.button', { href: href('sql', [], { q: `SELECT *\nFROM ${fullName(t)}\nLIMIT 100` }) }, 'Query in the SQL editor')),
      t.description ? h('p', null, t.description) : null,
      grid({ columns: ['column', 'type', 'description'], rows: t.columns.map((c) => [c.name, c.type, c.description]) })),
    h('section.card', null, h('h2', null, 'Column statistics'), stats),
    h('section.card', null, h('h2', null, 'Sample rows'), sample),
    lineageCard(lineage, catalog, fullName(t), 'Lineage'));
  api.table(fullName(t)).then((d) => {
    sample.replaceChildren(grid(toTabular(d.sample), { empty: 'The table is empty.' }));
    stats.replaceChildren(grid(toTabular(d.stats), { empty: 'No statistics.' }));
  }).catch((e) => { sample.replaceChildren(errorBox(e)); stats.replaceChildren(); });
}

