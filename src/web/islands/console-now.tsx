import { useEffect, useMemo, useState } from 'preact/hooks';
import type { paths } from '../api/schema.gen.ts';
import { api, problemOf } from '../client/api.ts';
import { TimeChart, type ChartSeries } from '../components/time-chart.tsx';
import { decimalAmount } from '../../shared/money.ts';
import { amounts, clock, duration, millis, percent, rate } from '../console/ops/words.ts';

/** The Now figures as the JSON API answers them (`GET /api/v1/admin/now`). */
export type NowFigures = paths['/api/v1/admin/now']['get']['responses'][200]['content']['application/json'];
type Point = NowFigures['history'][number];

export type ConsoleNowProps = Readonly<{ initial: NowFigures; pollMs: number }>;

type Link = 'static' | 'live' | 'lost';

/**
 * The console's Now page: the figures, the queues, replicas and breakers, and charts of the last
 * 15 minutes. Rendered by the server from the ops module's `now()`; in the browser it asks the JSON
 * API again every `pollMs` (the typed client) and redraws. Not a live region: figures that change
 * every few seconds would talk over everything else; the time of the figures says how fresh they are.
 */
export default function ConsoleNow(props: ConsoleNowProps) {
  const [now, setNow] = useState<NowFigures>(props.initial);
  const [link, setLink] = useState<{ state: Link; problem?: string }>({ state: 'static' });
  useEffect(() => pollNow(props.pollMs, setNow, setLink), [props.pollMs]);
  return (
    <div class="now" data-at={now.at}>
      <p class="now-clock">
        <span>
          Figures at <time dateTime={now.at}>{clock(now.at)}</time>
          {link.state === 'live' ? `, updating every ${Math.round(props.pollMs / 1000)} seconds.` : '.'}
          {link.state === 'static' ? ' Reload the page for newer figures.' : null}
        </span>
        {link.state === 'lost' ? <span class="status warn">Not updating: {link.problem}</span> : null}
      </p>
      <HeadlineFigures now={now} />
      <Charts history={now.history} />
      <Queues now={now} />
      <Replicas now={now} />
      <Breakers now={now} />
    </div>
  );
}

/** Polls until unmounted; a failed poll is shown and the next one tried. */
function pollNow(ms: number, setNow: (n: NowFigures) => void, setLink: (l: { state: Link; problem?: string }) => void): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const poll = async () => {
    try {
      const { data, error } = await api.GET('/api/v1/admin/now');
      if (stopped) return;
      if (data) {
        setNow(data);
        setLink({ state: 'live' });
      } else setLink({ state: 'lost', problem: problemOf(error).message });
    } catch (err) {
      if (!stopped) setLink({ state: 'lost', problem: problemOf(err).message });
    }
    if (!stopped) timer = setTimeout(() => void poll(), ms);
  };
  setLink({ state: 'live' });
  timer = setTimeout(() => void poll(), ms);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

function Figure(props: { label: string; value: string; hint?: string | undefined; name: string }) {
  return (
    <div data-figure={props.name}>
      <dt>{props.label}</dt>
      <dd>{props.value}</dd>
      {props.hint ? <dd class="figure-hint">{props.hint}</dd> : null}
    </div>
  );
}

function HeadlineFigures({ now }: { now: NowFigures }) {
  const m = now.lastMinute;
  const window = m.seconds < 59 ? `over the last ${duration(m.seconds)} (since sampling began)` : 'over the last minute';
  const waiting = now.queues.reduce((n, q) => n + q.depth, 0);
  const oldest = now.queues.reduce((n, q) => Math.max(n, q.oldestJobAgeSeconds), 0);
  const lags = now.replicas.map((r) => r.lagSeconds).filter((l): l is number => l !== null);
  const open = now.breakers.filter((b) => b.state !== 'closed');
  return (
    <dl class="figures">
      <Figure name="orders" label="Orders a minute" value={rate(m.ordersPerMinute)} hint={`${m.orders} paid ${window}`} />
      <Figure name="sales-minute" label="Sales, last minute" value={amounts(m.sales)} />
      <Figure
        name="sales-hour"
        label="Sales, last hour"
        value={amounts(now.lastHour.sales)}
        hint={`${now.lastHour.orders} ${now.lastHour.orders === 1 ? 'order' : 'orders'}`}
      />
      <Figure name="requests" label="Requests a second" value={rate(m.requestsPerSecond)} />
      <Figure name="errors" label="Error rate" value={percent(m.errorRate, 'no requests')} hint="answers 500 and above" />
      <Figure name="p99" label="p99 latency" value={millis(m.p99LatencyMs)} />
      <Figure name="queued" label="Jobs waiting" value={String(waiting)} hint={`oldest waited ${duration(oldest)}`} />
      <Figure name="cache" label="Cache hit ratio" value={percent(now.cacheHitRatio, 'no reads')} />
      <Figure
        name="replica-lag"
        label="Replica lag"
        value={now.replicas.length === 0 ? 'no replicas' : lags.length === 0 ? 'not measured' : millis(Math.max(...lags) * 1000)}
      />
      <Figure
        name="breakers"
        label="Breakers"
        value={open.length === 0 ? 'all closed' : `${open.length} not closed`}
        hint={open.map((b) => `${b.name} ${breakerWords(b.state)}`).join(', ') || undefined}
      />
    </dl>
  );
}

const breakerWords = (state: string) => ({ closed: 'closed', open: 'open', half_open: 'half open' })[state] ?? state;
const breakerClass = (state: string) => ({ closed: 'ok', open: 'bad', half_open: 'warn' })[state] ?? 'warn';

/** The 15-minute history as charts: one point per sampling interval. */
function Charts({ history }: { history: Point[] }) {
  const charts = useMemo(() => chartsOf(history), [history]);
  return (
    <section aria-labelledby="now-charts" class="now-charts">
      <h2 id="now-charts">The last 15 minutes</h2>
      {history.length === 0 ? <p class="muted">The charts fill in as the figures are sampled, every 10 seconds.</p> : null}
      <div class="chart-grid">
        {charts.map((c) => (
          <TimeChart key={c.caption} caption={c.caption} x={c.x} series={c.series} format={c.format} height={160} />
        ))}
      </div>
    </section>
  );
}

/** Shares charted as percentages (0..100), so the axis reads "50 %", not "0.5". */
const asPercent = (share: number | null) => (share === null ? null : Math.round(share * 1000) / 10);
const percentAxis = (v: number) => `${Math.round(v * 10) / 10} %`;

type ChartSpec = Readonly<{ caption: string; x: number[]; series: ChartSeries[]; format: (v: number) => string }>;

function chartsOf(history: Point[]): ChartSpec[] {
  const x = history.map((p) => Math.round(Date.parse(p.at) / 1000));
  const one = (label: string, pick: (p: Point) => number | null) => [{ label, values: history.map(pick) }];
  const currencies = [...new Set(history.flatMap((p) => p.sales.map((s) => s.currency)))].sort();
  return [
    { caption: 'Orders a minute', x, series: one('Orders a minute', (p) => p.ordersPerMinute), format: rate },
    {
      caption: 'Sales per interval',
      x,
      series: (currencies.length ? currencies : ['Sales']).map((c) => ({
        label: c,
        values: history.map((p) => Number(decimalAmount(p.sales.find((s) => s.currency === c)?.amount ?? 0, c))),
      })),
      format: (v) => v.toFixed(2),
    },
    { caption: 'Error rate', x, series: one('Error rate', (p) => asPercent(p.errorRate)), format: percentAxis },
    { caption: 'p99 latency', x, series: one('p99 latency', (p) => p.p99LatencyMs), format: (v) => millis(v) },
    { caption: 'Requests a second', x, series: one('Requests a second', (p) => p.requestsPerSecond), format: rate },
    { caption: 'Cache hit ratio', x, series: one('Cache hit ratio', (p) => asPercent(p.cacheHitRatio)), format: percentAxis },
  ];
}

function Queues({ now }: { now: NowFigures }) {
  return (
    <section aria-labelledby="now-queues">
      <h2 id="now-queues">Queues</h2>
      <table class="records">
        <thead>
          <tr>
            <th scope="col">Database</th>
            <th scope="col" class="num">
              Waiting
            </th>
            <th scope="col">Oldest waiting</th>
            <th scope="col" class="num">
              Running
            </th>
            <th scope="col" class="num">
              Failed
            </th>
          </tr>
        </thead>
        <tbody>
          {now.queues.map((q) => (
            <tr key={q.database}>
              <th scope="row">{q.database}</th>
              <td class="num">{q.depth}</td>
              <td>{q.depth === 0 ? 'nothing waiting' : duration(q.oldestJobAgeSeconds)}</td>
              <td class="num">{q.running}</td>
              <td class="num">{q.failed > 0 ? <a href="/console/jobs">{q.failed}</a> : 0}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Replicas({ now }: { now: NowFigures }) {
  return (
    <section aria-labelledby="now-replicas">
      <h2 id="now-replicas">Replicas</h2>
      {now.replicas.length === 0 ? (
        <p>No read replicas: the catalog answers every read.</p>
      ) : (
        <ul class="plain-list">
          {now.replicas.map((r) => (
            <li key={r.name}>
              {r.name}: <span class={`status ${r.healthy ? 'ok' : 'bad'}`}>{r.healthy ? 'serving' : 'out of rotation'}</span>, lag{' '}
              {r.lagSeconds === null ? 'not measured' : millis(r.lagSeconds * 1000)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Breakers({ now }: { now: NowFigures }) {
  return (
    <section aria-labelledby="now-breakers">
      <h2 id="now-breakers">Circuit breakers</h2>
      <ul class="plain-list">
        {now.breakers.map((b) => (
          <li key={b.name}>
            {b.name}: <span class={`status ${breakerClass(b.state)}`}>{breakerWords(b.state)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
