// The lineage graph: nodes placed in layers (a node one layer right of its furthest input, as dbt's
// docs draw it), ordered within a layer by their inputs' positions, drawn by ECharts' graph series.
import { chart, palette } from './charts';
import type { Chart } from './charts';
import type { Lineage } from './types';

export interface LaidOutNode { id: string; kind: string; label: string; layer: number; row: number }

/** Layers by longest path from the sources; a cycle (which lineage should not have) is cut where found. */
export function layout(g: Lineage): LaidOutNode[] {
  const inputs = new Map<string, string[]>();
  for (const n of g.nodes) inputs.set(n.id, []);
  for (const e of g.edges) if (inputs.has(e.to) && inputs.has(e.from)) inputs.get(e.to)!.push(e.from);
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (id: string): number => {
    const known = layer.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const d = Math.max(-1, ...inputs.get(id)!.map(depth)) + 1;
    visiting.delete(id);
    layer.set(id, d);
    return d;
  };
  g.nodes.forEach((n) => depth(n.id));

  const byLayer = new Map<number, typeof g.nodes>();
  for (const n of g.nodes) {
    const l = layer.get(n.id)!;
    if (!byLayer.has(l)) byLayer.set(l, []);
    byLayer.get(l)!.push(n);
  }
  const row = new Map<string, number>();
  const out: LaidOutNode[] = [];
  for (const l of [...byLayer.keys()].sort((a, b) => a - b)) {
    const nodes = byLayer.get(l)!;
    const key = (id: string) => {
      const ins = inputs.get(id)!.map((i) => row.get(i)).filter((r): r is number => r !== undefined);
      return ins.length ? ins.reduce((a, b) => a + b, 0) / ins.length : Number.MAX_SAFE_INTEGER;
    };
    nodes.sort((a, b) => key(a.id) - key(b.id) || a.label.localeCompare(b.label));
    nodes.forEach((n, i) => { row.set(n.id, i); out.push({ ...n, layer: l, row: i }); });
  }
  return out;
}

/** The part of the graph connected to `focus` (its inputs, their inputs, ... and its outputs, ...). */
export function around(g: Lineage, focus: string): Lineage {
  const keep = new Set([focus]);
  const walk = (dir: 'from' | 'to') => {
    const other = dir === 'from' ? 'to' : 'from';
    const queue = [focus];
    const seen = new Set(queue);
    while (queue.length) {
      const id = queue.pop()!;
      for (const e of g.edges) if (e[other] === id && !seen.has(e[dir])) { seen.add(e[dir]); keep.add(e[dir]); queue.push(e[dir]); }
    }
  };
  walk('from');
  walk('to');
  return { nodes: g.nodes.filter((n) => keep.has(n.id)), edges: g.edges.filter((e) => keep.has(e.from) && keep.has(e.to)) };
}

/** Pixels a node's label may take, and the margin the series keeps left and right of the outer columns. */
export const LABEL_WIDTH = 150;
const SIDE_MARGIN = 100;

/**
 * The distance between layers and the box's width: the layers spread over the available width, but
 * never closer than a label's width, so labels never overlap; the box then grows wider than its card
 * (which scrolls sideways) instead of the graph shrinking to fit it.
 */
export function columns(layers: number, available: number): { gap: number; width: number } {
  if (layers <= 1) return { gap: 0, width: available };
  const gap = Math.max(LABEL_WIDTH + 16, (available - 2 * SIDE_MARGIN) / (layers - 1));
  return { gap, width: Math.max(available, gap * (layers - 1) + 2 * SIDE_MARGIN) };
}

/**
 * A label that fits a column: a long path keeps its end (the file or table it names), not the
 * folders it starts with; the tooltip shows the whole name.
 */
export function shortLabel(label: string, max = 24): string {
  if (label.length <= max) return label;
  const tail = label.slice(label.length - (max - 1));
  const cut = tail.indexOf('/');
  return '…' + (cut > 0 && cut < tail.length - 1 ? tail.slice(cut) : tail);
}

export function lineageChart(el: HTMLElement, g: Lineage, focus: string | null, onClick: (id: string) => void): Chart {
  const nodes = layout(g);
  const kinds = [...new Set(nodes.map((n) => n.kind))];
  const layerOf = new Map(nodes.map((n) => [n.id, n.layer]));
  const layers = Math.max(1, ...nodes.map((n) => n.layer + 1));
  const rows = Math.max(1, ...nodes.map((n) => n.row + 1));
  el.style.height = `${Math.min(900, Math.max(240, rows * 64 + 90))}px`;
  // Positions in the box's own pixels, so the view scales x and y alike (round nodes, level edges)
  // and, the box being as wide as the columns need, not at all: labels keep their room.
  const { gap: columnGap, width } = columns(layers, el.clientWidth);
  el.style.width = `${width}px`;
  const c = chart(el, {
    tooltip: { formatter: (p: { dataType: string; data: { name: string; kind: string } }) => (p.dataType === 'node' ? `${p.data.kind}: ${p.data.name}` : '') },
    legend: { top: 0, data: kinds },
    series: [{
      type: 'graph', layout: 'none', roam: true, top: 48, bottom: 24, left: SIDE_MARGIN, right: SIDE_MARGIN, preserveAspect: 'contain',
      categories: kinds.map((k) => ({ name: k })),
      edgeSymbol: ['none', 'arrow'], edgeSymbolSize: 7,
      lineStyle: { color: '#98a2b3', width: 1.2, curveness: 0.08, opacity: 0.8 },
      label: { show: true, position: 'bottom', fontSize: 11, width: Math.max(LABEL_WIDTH, columnGap - 16), overflow: 'truncate' },
      emphasis: { focus: 'adjacency' },
      data: nodes.map((n) => ({
        id: n.id, name: n.label, kind: n.kind, category: kinds.indexOf(n.kind),
        label: { formatter: shortLabel(n.label), ...(n.id === focus ? { fontWeight: 'bold' } : {}) },
        x: n.layer * columnGap, y: n.row * 64, symbolSize: n.id === focus ? 22 : 14,
        itemStyle: n.id === focus ? { borderColor: '#151b2b', borderWidth: 2 } : undefined,
      })),
      // An edge that skips layers bends, so it does not run through the nodes between its ends.
      edges: g.edges.map((e) => {
        const span = (layerOf.get(e.to) ?? 0) - (layerOf.get(e.from) ?? 0);
        return { source: e.from, target: e.to, lineStyle: span > 1 ? { curveness: 0.25 } : undefined };
      }),
    }],
    color: palette,
  });
  // A table's page draws the graph around it: when the box is wider than its card, scroll the card so
  // the table's own node is in view (centred), not the sources at the left edge.
  const focused = nodes.find((n) => n.id === focus);
  const card = el.parentElement;
  if (focused && card && width > card.clientWidth) {
    card.scrollLeft = Math.max(0, SIDE_MARGIN + focused.layer * columnGap - card.clientWidth / 2);
  }
  c.on('click', (p) => { const d = p as { dataType?: string; data: { id: string } }; if (d.dataType === 'node') onClick(d.data.id); });
  return c;
}
