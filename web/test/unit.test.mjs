// Unit tests of the front end's pure functions (no browser, no server): the lineage graph's layered
// layout, tabular JSON reading and the SQL an influencer lists its customers with. The TypeScript is
// bundled in memory by esbuild and imported from a data: URL.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const src = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');

async function load(entry) {
  const out = await esbuild.build({
    stdin: { contents: entry, resolveDir: src, loader: 'ts' },
    bundle: true, format: 'esm', write: false, platform: 'neutral', logLevel: 'silent',
    // The modules under test draw nothing: keep ECharts and the DOM out of the bundle.
    plugins: [{ name: 'no-charts', setup(b) { b.onResolve({ filter: /\/charts$|^echarts/ }, (a) => ({ path: a.path, namespace: 'stub' })); b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export const chart = () => {}; export const palette = []; export const disposeChart = () => {};', loader: 'js' })); } }],
  });
  return import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
}

const { layout, around, columns, LABEL_WIDTH, shortLabel } = await load("export { layout, around, columns, LABEL_WIDTH, shortLabel } from './lineage';");
const { toTabular } = await load("export { toTabular } from './table';");
const { customersSql } = await load("export { customersSql } from './pages/influencers';");

test('lineage layout puts each node one layer right of its furthest input', () => {
  const g = {
    nodes: ['src', 'batch', 'raw', 'dim', 'fact'].map((id) => ({ id, kind: 'k', label: id })),
    edges: [
      { from: 'src', to: 'batch' }, { from: 'batch', to: 'raw' }, { from: 'raw', to: 'fact' },
      { from: 'raw', to: 'dim' }, { from: 'dim', to: 'fact' },
    ],
  };
  const at = Object.fromEntries(layout(g).map((n) => [n.id, n.layer]));
  assert.deepEqual(at, { src: 0, batch: 1, raw: 2, dim: 3, fact: 4 });
});

test('lineage columns never come closer than a label, and widen the box instead', () => {
  const nine = columns(9, 900);  // the demo's lineage: sources to marts in nine layers, a 900-pixel card
  assert.ok(nine.gap >= LABEL_WIDTH, `columns ${nine.gap} px apart, labels ${LABEL_WIDTH} px wide`);
  assert.equal(nine.width, nine.gap * 8 + 200, 'the box holds every column and the margins');
  assert.ok(nine.width > 900, 'so it is wider than the card, which scrolls');
  const three = columns(3, 1200);
  assert.equal(three.width, 1200, 'a graph that fits its card fills it');
  assert.equal(three.gap, 500, 'its columns spread over the width');
  assert.deepEqual(columns(1, 700), { gap: 0, width: 700 });
});

test('a long lineage label keeps the end of its path', () => {
  assert.equal(shortLabel('stg_customers'), 'stg_customers');
  assert.equal(shortLabel('/tmp/custlake-web-10698-abc/landing/usage'), '…/landing/usage');
  assert.equal(shortLabel('sqlite:/tmp/custlake-web-10698/data/sic.db'), '…/data/sic.db');
  assert.equal(shortLabel('x'.repeat(30)), '…' + 'x'.repeat(23), 'a long name without a path keeps its end');
  for (const l of ['/a/very/long/path/to/some/landing/folder/usage', 'y'.repeat(40)]) assert.ok(shortLabel(l).length <= 24);
});

test('lineage layout survives a cycle and keeps every node once', () => {
  const g = { nodes: [{ id: 'a', kind: 'k', label: 'a' }, { id: 'b', kind: 'k', label: 'b' }], edges: [{ from: 'a', to: 'b' }, { from: 'b', to: 'a' }] };
  assert.deepEqual(layout(g).map((n) => n.id).sort(), ['a', 'b']);
});

test('lineage around a table keeps its inputs and outputs only', () => {
  const g = {
    nodes: ['a', 'b', 'c', 'x'].map((id) => ({ id, kind: 'k', label: id })),
    edges: [{ from: 'a', to: 'b' }, { from: 'b', to: 'c' }, { from: 'x', to: 'c' }],
  };
  assert.deepEqual(around(g, 'b').nodes.map((n) => n.id), ['a', 'b', 'c']);
});

test('tabular JSON: columns + rows, lists of objects, one record', () => {
  assert.deepEqual(toTabular({ columns: [{ name: 'a', type: 'INTEGER' }, 'b'], rows: [[1, 'x']] }), { columns: ['a', 'b'], rows: [[1, 'x']] });
  assert.deepEqual(toTabular([{ a: 1 }, { a: 2, b: { n: 1 } }]), { columns: ['a', 'b'], rows: [[1, null], [2, '{"n":1}']] });
  assert.deepEqual(toTabular({ k: 'v' }), { columns: ['name', 'value'], rows: [['k', 'v']] });
});

test('an influencer\'s customers: its attribute filter, quoted; nothing for a filter without a column name', () => {
  const sql = customersSql({ feature: 'region', condition: "region = O'Hara", text: '', ratio: 2, customers: 1, filter: { region: "O'Hara" } });
  assert.match(sql, /FROM dim_customer\nWHERE is_current AND region = 'O''Hara'\n/);
  assert.equal(customersSql({ feature: 'x; DROP', condition: '', text: '', ratio: 2, customers: 1, filter: { 'x; DROP': 'y' } }), null);
  assert.match(customersSql({ feature: 'plan', condition: 'plan = pro', text: '', ratio: 2, customers: 1, value: 'pro' }), /plan = 'pro'/);
});

const { withSourceRecord, shortSource } = await load("export { withSourceRecord, shortSource } from './source_record';");

test('a drill-down row reads as its source record: import table and key, or file and line', () => {
  assert.equal(shortSource('sqlite:/tmp/p/demo/data/sic.db'), 'data/sic.db');
  const imported = withSourceRecord({
    columns: ['customer_id', 'amount', '_source', '_source_table', '_source_key', '_source_batch'],
    rows: [[1, '107.89', 'sqlite:/tmp/p/demo/data/sic.db', 'transactions', 'transaction_id = 1', 2]],
  });
  assert.deepEqual(imported.columns, ['customer_id', 'amount', 'source record', 'lake batch']);
  assert.deepEqual(imported.rows, [[1, '107.89', 'data/sic.db · transactions · transaction_id = 1', 2]]);
  const file = withSourceRecord({ columns: ['_source_file', '_source_line', 'x'], rows: [['/l/landing/usage/a.ndjson', 17, 'y']] });
  assert.deepEqual(file, { columns: ['source record', 'x'], rows: [['usage/a.ndjson:17', 'y']] });
  const plain = { columns: ['a'], rows: [[1]] };
  assert.equal(withSourceRecord(plain), plain, 'a table without lineage columns is left as it is');
});
