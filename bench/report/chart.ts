import * as vega from 'vega';

export interface ChartRow {
  scenario: string;
  server: 'hub' | 'baseline';
  rps: number;
  p99Ms: number;
}

const PANEL_WIDTH = 340;
const ROW_HEIGHT = 44;

/**
 * One panel: a horizontal grouped bar per scenario, hub beside baseline, for one measure. Both measures span
 * three orders of magnitude across scenarios (a login against a health check), hence log scales.
 */
function panel(field: 'rps' | 'p99Ms', title: string, height: number): vega.GroupMark {
  const x = `x_${field}`;
  return {
    type: 'group',
    encode: { enter: { width: { value: PANEL_WIDTH }, height: { value: height } } },
    title: { text: title, anchor: 'start' },
    scales: [
      { name: 'y', type: 'band', domain: { data: 'rows', field: 'scenario' }, range: [0, height], padding: 0.25 },
      { name: x, type: 'log', domain: { data: 'rows', field }, range: [0, PANEL_WIDTH], nice: true },
    ],
    axes: [
      { orient: 'left', scale: 'y' },
      { orient: 'bottom', scale: x, grid: true, format: '~s' },
    ],
    marks: [
      {
        type: 'group',
        from: { facet: { data: 'rows', name: 'facet', groupby: 'scenario' } },
        encode: { enter: { y: { scale: 'y', field: 'scenario' } } },
        signals: [{ name: 'height', update: "bandwidth('y')" }],
        scales: [{ name: 'pos', type: 'band', range: 'height', domain: { data: 'facet', field: 'server' } }],
        marks: [
          {
            name: `bars_${field}`,
            type: 'rect',
            from: { data: 'facet' },
            encode: {
              enter: {
                y: { scale: 'pos', field: 'server' },
                height: { scale: 'pos', band: 1 },
                x: { scale: x, field },
                x2: { value: 0 },
                fill: { scale: 'color', field: 'server' },
              },
            },
          },
          {
            type: 'text',
            from: { data: `bars_${field}` },
            encode: {
              enter: {
                x: { field: 'x2', offset: 3 },
                y: { field: 'y', offset: { field: 'height', mult: 0.5 } },
                baseline: { value: 'middle' },
                align: { value: 'left' },
                fontSize: { value: 9 },
                text: { signal: `format(datum.datum.${field}, '${field === 'rps' ? ',.0f' : '.1f'}')` },
              },
            },
          },
        ],
      },
    ],
  };
}

/** The chart of a run as SVG, rendered headless by vega (no canvas needed for SVG). */
export async function chartSvg(rows: ChartRow[], subtitle: string): Promise<string> {
  const height = new Set(rows.map((row) => row.scenario)).size * ROW_HEIGHT;
  const spec: vega.Spec = {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    padding: 12,
    title: { text: 'Ananta Hub against the raw baseline (medians of the rounds)', subtitle, anchor: 'start' },
    layout: { columns: 2, padding: 48 },
    // A log scale has no place for 0: scenarios where a server answered nothing show no bar.
    data: [{ name: 'rows', values: rows, transform: [{ type: 'filter', expr: 'datum.rps > 0 && datum.p99Ms > 0' }] }],
    scales: [{ name: 'color', type: 'ordinal', domain: ['hub', 'baseline'], range: ['#4c78a8', '#f58518'] }],
    legends: [{ fill: 'color', orient: 'top', direction: 'horizontal' }],
    marks: [
      panel('rps', 'Throughput (successful req/s, log scale)', height),
      panel('p99Ms', 'p99 latency (ms, log scale)', height),
    ],
  };
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
