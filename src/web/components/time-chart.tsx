import { useEffect, useRef } from 'preact/hooks';
import type uPlot from 'uplot';

type UPlotChart = Pick<uPlot, 'destroy' | 'setData'>;

/** One line of a chart: its name and its values, one per point of `x` (null where none). */
export type ChartSeries = Readonly<{ label: string; values: ReadonlyArray<number | null> }>;

export type TimeChartProps = Readonly<{
  /** What the chart shows, its caption ("Orders a minute"). */
  caption: string;
  /** The points' times, in seconds since the epoch, ascending. */
  x: ReadonlyArray<number>;
  series: ReadonlyArray<ChartSeries>;
  /** How a value reads in the table and the axis ("12.50", "97 %"); plain numbers by default. */
  format?: (value: number) => string;
  /** Pixel height of the plot. */
  height?: number;
}>;

const COLOURS = ['#7a3e1d', '#2f6f62', '#5b4a8a', '#a0522d'];
const plain = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));

/**
 * A time series chart drawn by uPlot (a small, well-kept canvas chart library), with the same
 * figures as a table for screen readers and for a page without scripts: the server renders the
 * caption and the table; in the browser uPlot draws the chart above them (the canvas is hidden
 * from assistive technology, which reads the table). uPlot is loaded only where a chart is shown.
 */
export function TimeChart(props: TimeChartProps) {
  const plot = useRef<HTMLDivElement>(null);
  const format = props.format ?? plain;
  // The chart is made once per shape (its lines and height); new figures, as a page that polls
  // brings every few seconds, go into the same chart with setData. Rebuilding it each time threw
  // away the canvas, the legend and any point the person was hovering over.
  const chart = useRef<UPlotChart | null>(null);
  const data = useRef<Array<Array<number | null>>>([]);
  data.current = [props.x as number[], ...props.series.map((s) => s.values as Array<number | null>)];
  const shape = props.series.map((s) => s.label).join('\n');
  useEffect(() => {
    const el = plot.current;
    if (!el) return;
    let gone = false;
    void import('uplot').then(({ default: UPlot }) => {
      if (gone) return;
      const width = Math.max(280, el.clientWidth || 600);
      chart.current = new UPlot(
        {
          width,
          height: props.height ?? 200,
          series: [
            {},
            ...props.series.map((s, i) => ({
              label: s.label,
              stroke: COLOURS[i % COLOURS.length],
              width: 2,
              value: (_u: unknown, v: number | null) => (v === null ? '–' : format(v)),
            })),
          ],
          axes: [{}, { values: (_u: unknown, ticks: number[]) => ticks.map(format), size: 60 }],
          legend: { show: true },
        },
        // The figures of the latest render, which may be newer than those this effect began with.
        data.current as uPlot.AlignedData,
        el,
      );
    });
    return () => {
      gone = true;
      chart.current?.destroy();
      chart.current = null;
    };
  }, [shape, props.height]);
  useEffect(() => {
    chart.current?.setData(data.current as uPlot.AlignedData);
  }, [props.x, props.series]);

  const last = props.x.length - 1;
  return (
    <figure class="chart">
      <figcaption>{props.caption}</figcaption>
      <div class="chart-plot" ref={plot} aria-hidden="true" />
      <details class="chart-table">
        <summary>The figures as a table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Time</th>
              {props.series.map((s) => (
                <th key={s.label} scope="col">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.x.map((t, i) => (
              <tr key={t} class={i === last ? 'latest' : undefined}>
                <th scope="row">{new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' ')}</th>
                {props.series.map((s) => {
                  const v = s.values[i];
                  return <td key={s.label}>{v === null || v === undefined ? '–' : format(v)}</td>;
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
