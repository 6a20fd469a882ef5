/**
 * The script inlined in a lab report: draws each chart the page describes (load/report-charts.ts)
 * with uPlot, which the page inlines before this script as the global `uPlot`. Bundled by esbuild
 * when the report is written (load/report.ts), so it is type-checked with the rest of the lab.
 */
import type UPlot from 'uplot';
import { clock, formatValue, type ChartSpec, type Unit } from './report-charts.ts';

const uPlot = (window as unknown as { uPlot: typeof UPlot }).uPlot;

const HEIGHT = 260;
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200];

function tick(v: number, unit: Unit): string {
  if (unit === 'ratio') return `${Math.round(v * 100)} %`;
  if (unit === 'ms' && v >= 10_000) return `${(v / 1000).toLocaleString('en', { maximumFractionDigits: 1 })} s`;
  return v.toLocaleString('en', { maximumFractionDigits: 2 });
}

/** 50000 -> "50k", 1600000 -> "1.6M": the capacity steps' daily users. */
function users(v: number): string {
  if (v >= 1_000_000) return `${(v / 1_000_000).toLocaleString('en', { maximumFractionDigits: 1 })}M`;
  if (v >= 1000) return `${(v / 1000).toLocaleString('en', { maximumFractionDigits: 1 })}k`;
  return String(v);
}

function draw(spec: ChartSpec, el: HTMLElement): UPlot {
  const unitOf = new Map(spec.axes.map((a) => [a.scale, a.unit]));
  const xText = spec.xKind === 'time' ? clock : (v: number) => `${v.toLocaleString('en')} daily users`;
  const xTick = spec.xKind === 'time' ? clock : users;
  const capacity = spec.xKind === 'dailyUsers';
  const scales: UPlot.Scales = {
    // The steps usually double, so they are spread on a log scale with a tick at each step.
    x: capacity ? { time: false, distr: 3, log: 10, range: (_u, min, max) => [min / 1.25, max * 1.25] } : { time: false },
  };
  for (const a of spec.axes) {
    scales[a.scale] = a.log
      ? { distr: 3, log: 10 }
      : { range: (_u, _min, max) => (a.unit === 'ratio' ? [0, 1] : [0, max > 0 ? max * 1.08 : 1]) };
  }
  const opts: UPlot.Options = {
    width: Math.max(260, el.clientWidth),
    height: HEIGHT,
    scales,
    series: [
      // Values show while the pointer is over the chart; at rest the legend is just the names.
      { label: spec.xKind === 'time' ? 'time' : 'step', value: (_u, v) => (v == null ? '' : xText(v)) },
      ...spec.lines.map((l) => ({
        label: l.label,
        scale: l.scale,
        stroke: l.colour,
        width: l.width ?? 2,
        ...(l.dash ? { dash: [...l.dash] } : {}),
        // A line of one or two points (a class few requests reached) shows its points, or nothing shows.
        points: { show: capacity || l.values.filter((v) => v !== null).length <= 2 },
        // A scrape the server missed under load leaves a gap in its series, not a broken line.
        spanGaps: spec.group === 'server',
        value: (_u: UPlot, v: number | null) => (v == null ? '' : formatValue(v, unitOf.get(l.scale) ?? 'count')),
      })),
    ],
    axes: [
      {
        label: spec.xKind === 'time' ? 'time since the start (min:s)' : 'daily users (log scale)',
        values: (_u, ticks) => ticks.map((t) => (t == null ? '' : xTick(t))),
        // Whole minutes and their usual parts, not uPlot's decimal steps (0:50, 1:40); on the
        // capacity chart a tick at every step, each labelled (a log axis labels powers of ten only).
        ...(capacity ? { splits: () => [...spec.x], filter: (_u: UPlot, splits: number[]) => splits } : { incrs: TIME_STEPS }),
      },
      ...spec.axes.map((a, i) => ({
        scale: a.scale,
        label: a.label,
        side: i === 0 ? 3 : 1,
        grid: { show: i === 0 },
        size: 64,
        // A log scale hands over null for the ticks it leaves unlabelled.
        values: (_u: UPlot, ticks: Array<number | null>) => ticks.map((t) => (t == null ? '' : tick(t, a.unit))),
      })),
    ],
    legend: { show: true },
    hooks: spec.marker
      ? {
          draw: [
            (u: UPlot) => {
              const m = spec.marker!;
              const x = u.valToPos(m.x, 'x', true);
              const ctx = u.ctx;
              ctx.save();
              ctx.strokeStyle = '#222';
              ctx.lineWidth = 2 * devicePixelRatio;
              ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
              ctx.beginPath();
              ctx.moveTo(x, u.bbox.top);
              ctx.lineTo(x, u.bbox.top + u.bbox.height);
              ctx.stroke();
              ctx.fillStyle = '#222';
              ctx.font = `${12 * devicePixelRatio}px system-ui, sans-serif`;
              ctx.textBaseline = 'top';
              // Right of the line when it fits, else left of it (uPlot leaves its own alignment set).
              const fits = x + ctx.measureText(m.label).width + 8 * devicePixelRatio < u.bbox.left + u.bbox.width;
              ctx.textAlign = fits ? 'left' : 'right';
              ctx.fillText(m.label, fits ? x + 6 * devicePixelRatio : x - 6 * devicePixelRatio, u.bbox.top + 4 * devicePixelRatio);
              ctx.restore();
            },
          ],
        }
      : {},
  };
  const data = [[...spec.x], ...spec.lines.map((l) => [...l.values])] as UPlot.AlignedData;
  return new uPlot(opts, data, el);
}

function main() {
  const source = document.getElementById('report-charts');
  if (!source?.textContent) return;
  const specs = JSON.parse(source.textContent) as ChartSpec[];
  const drawn: Array<{ plot: UPlot; el: HTMLElement }> = [];
  for (const spec of specs) {
    const el = document.querySelector<HTMLElement>(`[data-chart="${spec.id}"]`);
    if (!el) continue;
    // One chart that cannot be drawn must not take the others with it; the console says which.
    try {
      drawn.push({ plot: draw(spec, el), el });
      el.dataset.drawn = 'true';
    } catch (e) {
      console.error(`chart ${spec.id} was not drawn:`, e);
    }
  }
  // The charts follow the width of their column (a narrower window, a printed page).
  let pending = 0;
  window.addEventListener('resize', () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => {
      for (const { plot, el } of drawn) plot.setSize({ width: Math.max(260, el.clientWidth), height: HEIGHT });
    });
  });
}

main();
