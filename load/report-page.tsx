/**
 * The lab report as a page: what a team would put in front of its founder. The verdict first, in
 * one sentence and in a word that does not depend on colour; then the evidence: the model and its
 * rates, the SLO table, the invariants, and the charts, each with a heading and a sentence that
 * says what it shows. Rendered by Preact on the server (text and attributes escaped by default);
 * load/report.ts wraps it with the inlined uPlot and the drawing script.
 */
import { Fragment, type ComponentChildren } from 'preact';
import { PAYMENT_OBJECTIVE } from '../ops/slo.ts';
import { CLASS_TITLE, clock, formatValue, type ChartSpec } from './report-charts.ts';
import type { Invariant, LabReport, Percentiles, RequestClass, RunReport, SloVerdict } from './types.ts';

const en = (v: number, digits = 0) => v.toLocaleString('en', { maximumFractionDigits: digits });
const ms = (v: number) => formatValue(v, 'ms');

/** The page's title; the spike's names the run's own daily users (LAB_DAILY_USERS, LAB_SPIKE_DAILY_USERS). */
function scenarioTitle(r: LabReport): string {
  if (r.scenario !== 'spike') return SCENARIO_TITLE[r.scenario];
  const p = r.model.parameters;
  return `The day of the TV feature (${en(Number(p.dailyUsers))} to ${en(Number(p.spikeDailyUsers))} daily users)`;
}

const SCENARIO_TITLE: Readonly<Record<LabReport['scenario'], string>> = {
  normal: 'An ordinary day',
  spike: 'The day of the TV feature',
  capacity: 'Capacity: how many daily users it carries',
  soak: 'A long day at steady load',
  without: 'The spike, with the practices and without them',
};

function Verdict(props: { pass: boolean; label?: string }) {
  return (
    <span class={props.pass ? 'mark pass' : 'mark fail'}>
      <span aria-hidden="true">{props.pass ? '✓ ' : '✗ '}</span>
      {props.label ?? (props.pass ? 'Pass' : 'Fail')}
    </span>
  );
}

function Section(props: { id: string; title: string; children: ComponentChildren; intro?: string }) {
  return (
    <section id={props.id} aria-labelledby={`${props.id}-h`}>
      <h2 id={`${props.id}-h`}>{props.title}</h2>
      {props.intro ? <p class="intro">{props.intro}</p> : null}
      {props.children}
    </section>
  );
}

/** A table that may be wider than a phone: it scrolls in its own box, reachable by keyboard. */
function Wide(props: { label: string; children: ComponentChildren }) {
  return (
    <div class="wide" role="region" aria-label={props.label} tabIndex={0}>
      {props.children}
    </div>
  );
}

function classTitle(c: SloVerdict['class']): string {
  return c === 'payment' ? `Payment (${PAYMENT_OBJECTIVE.title})` : CLASS_TITLE[c];
}

function SloTable(props: { runs: readonly RunReport[] }) {
  const first = props.runs[0]!;
  // One row per class the first run judged, then any class only a later run has.
  const classes = [...new Set(props.runs.flatMap((r) => r.slo.map((s) => s.class)))];
  const two = props.runs.length > 1;
  return (
    <Wide label="SLO verdicts">
      <table class="slo">
        <caption>{two ? 'Each class against its objective, both runs side by side' : 'Each class against its objective'}</caption>
        <thead>
          {two ? (
            <tr>
              <th scope="col" rowSpan={2}>
                Class
              </th>
              <th scope="col" rowSpan={2}>
                Objective
              </th>
              {props.runs.map((r) => (
                <th key={r.label} scope="colgroup" colSpan={2}>
                  {r.label}
                </th>
              ))}
            </tr>
          ) : null}
          <tr>
            {two ? null : (
              <>
                <th scope="col">Class</th>
                <th scope="col">Objective</th>
              </>
            )}
            {props.runs.map((r) => (
              <Fragment key={r.label}>
                <th scope="col">Measured</th>
                <th scope="col">Verdict</th>
              </Fragment>
            ))}
          </tr>
        </thead>
        <tbody>
          {classes.map((c) => {
            const objective = props.runs.map((r) => r.slo.find((s) => s.class === c)).find((s) => s)?.objective ?? '–';
            return (
              <tr key={c} data-slo={c}>
                <th scope="row">{classTitle(c)}</th>
                <td>{objective}</td>
                {props.runs.map((r) => {
                  const v = r.slo.find((s) => s.class === c);
                  return (
                    <Fragment key={r.label}>
                      <td class={v && !v.pass ? 'failed' : undefined}>{v?.measured ?? 'not measured'}</td>
                      <td class={v && !v.pass ? 'failed' : undefined}>{v ? <Verdict pass={v.pass} /> : '–'}</td>
                    </Fragment>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
      {first.slo.length === 0 ? <p>The run judged no SLO.</p> : null}
    </Wide>
  );
}

function Invariants(props: { items: readonly Invariant[] }) {
  if (props.items.length === 0) return <p>No invariant was checked.</p>;
  return (
    <ul class="invariants">
      {props.items.map((i) => (
        <li key={i.name}>
          <Verdict pass={i.pass} label={i.pass ? 'Held' : 'Broken'} /> <strong>{i.name}</strong>: {i.detail}
        </li>
      ))}
    </ul>
  );
}

function Chart(props: { spec: ChartSpec }) {
  const s = props.spec;
  return (
    <figure
      class={s.group === 'capacity' ? 'chart whole' : 'chart'}
      aria-labelledby={`chart-${s.id}-h`}
      aria-describedby={`chart-${s.id}-d`}
    >
      <h3 id={`chart-${s.id}-h`}>{s.title}</h3>
      <p id={`chart-${s.id}-d`} class="summary">
        {s.summary}
      </p>
      {/* The canvas and uPlot's legend repeat the sentence above for the eye. */}
      <div class="plot" data-chart={s.id} aria-hidden="true" />
    </figure>
  );
}

function Charts(props: { specs: readonly ChartSpec[]; children?: ComponentChildren }) {
  return (
    <div class="charts">
      {props.specs.map((s) => (
        <Chart key={s.id} spec={s} />
      ))}
      {props.children}
    </div>
  );
}

function pct(p: Percentiles) {
  return `p50 ${ms(p.p50)}, p90 ${ms(p.p90)}, p99 ${ms(p.p99)}, max ${ms(p.max)}`;
}

/** A small definition list: label, value. */
function Facts(props: { rows: ReadonlyArray<readonly [string, ComponentChildren]> }) {
  return (
    <dl class="facts">
      {props.rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function FlashSale(props: { run: RunReport; showLabel: boolean }) {
  const f = props.run.flashSale;
  const p = props.run.payment;
  return (
    <div class="box">
      <h3>{props.showLabel ? `Flash sale and payments: ${props.run.label}` : 'Flash sale and payments'}</h3>
      {f ? (
        <Facts
          rows={[
            ['Sale started', `at ${clock(f.at / 1000)}`],
            ['Buyers', en(f.buyers)],
            ['Units on sale', en(f.units)],
            ['Sold', `${en(f.sold)} of ${en(f.units)}`],
            ['Told “sold out” (409)', en(f.soldOut409)],
            ['Buyer wait, press to answer', `p50 ${ms(f.buyerWait.p50)}, p99 ${ms(f.buyerWait.p99)}`],
            ['Over after', formatValue(f.overAfterMs / 1000, 'seconds')],
          ]}
        />
      ) : (
        <p>No flash sale in this run.</p>
      )}
      <Facts
        rows={[
          ['Acceptance to paid', pct(p)],
          ['Orders paid', en(p.count)],
          ['Still unpaid at the end', en(p.pending)],
        ]}
      />
    </div>
  );
}

function Generator(props: { run: RunReport; showLabel: boolean }) {
  const g = props.run.generator;
  return (
    <div class="box">
      <h3>{props.showLabel ? `Load generator: ${props.run.label}` : 'Load generator'}</h3>
      {g.warning ? <GeneratorWarning text={g.warning} /> : <p>The generator kept to its schedule: the figures measure the server.</p>}
      <Facts
        rows={[
          ['CPU used', formatValue(g.cpu, 'cores')],
          ['Arrivals late against schedule', pct(g.lateness)],
        ]}
      />
    </div>
  );
}

function GeneratorWarning(props: { text: string }) {
  return (
    <p class="warning">
      <strong>Warning, the load generator may have been the limit:</strong> {props.text}
    </p>
  );
}

function ErrorsByKind(props: { runs: readonly RunReport[] }) {
  const kinds = [...new Set(props.runs.flatMap((r) => Object.keys(r.errorsByKind)))].sort((a, b) => {
    const n = (k: string) => props.runs.reduce((s, r) => s + (r.errorsByKind[k] ?? 0), 0);
    return n(b) - n(a) || a.localeCompare(b);
  });
  if (kinds.length === 0) return <p>No request failed.</p>;
  return (
    <Wide label="Failures by kind">
      <table class="numbers">
        <caption class="visually-hidden">Failures by status and code</caption>
        <thead>
          <tr>
            <th scope="col">Status and code</th>
            {props.runs.map((r) => (
              <th key={r.label} scope="col">
                {props.runs.length > 1 ? r.label : 'Count'}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {kinds.map((k) => (
            <tr key={k}>
              <th scope="row">
                <code>{k}</code>
              </th>
              {props.runs.map((r) => (
                <td key={r.label} class="num">
                  {en(r.errorsByKind[k] ?? 0)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </Wide>
  );
}

function Model(props: { report: LabReport }) {
  const m = props.report.model;
  const runs = props.report.runs;
  const settings = [...new Set(runs.flatMap((r) => Object.keys(r.deployment)))];
  return (
    <>
      <div class="two">
        <div>
          <h3>Parameters</h3>
          <table class="numbers">
            <caption class="visually-hidden">Model parameters</caption>
            <thead>
              <tr>
                <th scope="col">Parameter</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(m.parameters).map(([k, v]) => (
                <tr key={k}>
                  <th scope="row">{k}</th>
                  {typeof v === 'number' ? <td class="num">{en(v, 4)}</td> : <td>{v}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div>
          <h3>Rates derived from them</h3>
          <Wide label="Derived rates">
            <table class="numbers">
              <caption class="visually-hidden">Derived rates and their arithmetic</caption>
              <thead>
                <tr>
                  <th scope="col">Rate</th>
                  <th scope="col">Value</th>
                  <th scope="col">How</th>
                </tr>
              </thead>
              <tbody>
                {m.derived.map((d) => (
                  <tr key={d.name}>
                    <th scope="row">{d.name}</th>
                    <td class="num">{en(d.value, 2)}</td>
                    <td class="how">{d.how}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Wide>
        </div>
      </div>
      {settings.length > 0 ? (
        <>
          <h3>The deployment under test</h3>
          <Wide label="Deployment settings">
            <table class="numbers">
              <caption class="visually-hidden">Deployment settings</caption>
              <thead>
                <tr>
                  <th scope="col">Setting</th>
                  {runs.map((r) => (
                    <th key={r.label} scope="col">
                      {runs.length > 1 ? r.label : 'Value'}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {settings.map((k) => (
                  <tr key={k}>
                    <th scope="row">{k}</th>
                    {runs.map((r) => (
                      <td key={r.label}>{r.deployment[k] ?? '–'}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </Wide>
        </>
      ) : null}
    </>
  );
}

function Steps(props: { run: RunReport; knee: LabReport['knee'] }) {
  const steps = props.run.steps ?? [];
  return (
    <Wide label="Capacity steps">
      <table class="numbers">
        <caption>Each step of the staircase</caption>
        <thead>
          <tr>
            <th scope="col">Daily users</th>
            <th scope="col">Offered/s</th>
            <th scope="col">Served/s</th>
            <th scope="col">Goodput/s</th>
            <th scope="col">Within SLOs</th>
            <th scope="col">First SLO to break</th>
          </tr>
        </thead>
        <tbody>
          {steps.map((s) => (
            <tr key={s.dailyUsers} class={props.knee?.dailyUsers === s.dailyUsers ? 'knee' : undefined}>
              <th scope="row">
                {en(s.dailyUsers)}
                {props.knee?.dailyUsers === s.dailyUsers ? ' (knee)' : ''}
              </th>
              <td class="num">{en(s.offeredPerSec, 1)}</td>
              <td class="num">{en(s.servedPerSec, 1)}</td>
              <td class="num">{en(s.goodputPerSec, 1)}</td>
              <td>
                <Verdict pass={s.pass} label={s.pass ? 'Yes' : 'No'} />
              </td>
              <td>{s.broke ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Wide>
  );
}

/** "carries 400,000 daily users within its SLOs", the sentence the brief of `capacity` asks for. */
export function kneeSentence(report: LabReport): string | null {
  if (report.scenario !== 'capacity' && !report.knee) return null;
  if (!report.knee) return 'The deployment carried none of the steps within its SLOs.';
  return `The deployment carries ${en(report.knee.dailyUsers)} daily users within its SLOs (${formatValue(report.knee.requestsPerSec, 'perSec')} at the knee).`;
}

/** "7 December 2026, 17:58 UTC" */
function started(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toLocaleString('en-GB', { timeZone: 'UTC', dateStyle: 'long', timeStyle: 'short' })} UTC`;
}

function count<T>(items: readonly T[], ok: (t: T) => boolean) {
  return `${items.filter(ok).length} of ${items.length}`;
}

export type ReportPageProps = Readonly<{
  report: LabReport;
  charts: readonly ChartSpec[];
  /** The styles, inlined. */
  css: string;
  /** The page's Content Security Policy (load/report.ts: nothing may be fetched). */
  csp: string;
}>;

export function ReportPage(props: ReportPageProps) {
  const r = props.report;
  const runs = r.runs;
  const two = runs.length > 1;
  const duration = Math.max(...runs.map((x) => x.durationMs));
  const knee = kneeSentence(r);
  const warnings = runs.filter((x) => x.generator.warning);
  const group = (g: ChartSpec['group']) => props.charts.filter((c) => c.group === g);
  const capacityRun = runs.find((x) => x.steps && x.steps.length > 0);
  const classesWithFigures = new Set<RequestClass>(group('latency').map((c) => c.id.replace('latency-', '') as RequestClass));
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta http-equiv="Content-Security-Policy" content={props.csp} />
        {/* No icon: and no request for /favicon.ico either. */}
        <link rel="icon" href="data:," />
        <title>{`Load lab: ${r.scenario}, ${r.pass ? 'pass' : 'fail'} (${r.startedAt})`}</title>
        <style dangerouslySetInnerHTML={{ __html: props.css }} />
      </head>
      <body>
        <header class="top">
          <p class="eyebrow">Atelier load lab · scenario “{r.scenario}”</p>
          <h1>{scenarioTitle(r)}</h1>
          <div class={r.pass ? 'verdict pass' : 'verdict fail'} role="note" aria-label="Verdict">
            <p class="word">{r.pass ? '✓ PASS' : '✗ FAIL'}</p>
            <p class="sentence" data-verdict>
              {r.verdict}
            </p>
            {knee ? (
              <p class="knee" data-knee>
                {knee}
              </p>
            ) : null}
          </div>
          <ul class="glance">
            {runs.map((x) => (
              <li key={x.label}>
                {two ? <strong>{x.label}: </strong> : null}
                SLOs met: {count(x.slo, (s) => s.pass)}; invariants held: {count(x.invariants, (i) => i.pass)}.
              </li>
            ))}
            <li>
              Started {started(r.startedAt)}, ran {clock(duration / 1000)} (min:s) on {r.machine.cpus} CPUs, {en(r.machine.memoryGiB, 1)}{' '}
              GiB, Node {r.machine.node}.
            </li>
          </ul>
          {warnings.map((x) => (
            <GeneratorWarning key={x.label} text={two ? `${x.label}: ${x.generator.warning!}` : x.generator.warning!} />
          ))}
          <nav aria-label="Sections">
            <ul>
              <li>
                <a href="#slo">SLOs</a>
              </li>
              <li>
                <a href="#invariants">Invariants</a>
              </li>
              {capacityRun ? (
                <li>
                  <a href="#capacity">Capacity</a>
                </li>
              ) : null}
              <li>
                <a href="#latency">Latency</a>
              </li>
              <li>
                <a href="#traffic">Throughput and errors</a>
              </li>
              <li>
                <a href="#sale">Flash sale and generator</a>
              </li>
              <li>
                <a href="#server">Server</a>
              </li>
              <li>
                <a href="#model">The model</a>
              </li>
            </ul>
          </nav>
        </header>
        <main>
          <Section
            id="slo"
            title="SLOs: each class against its objective"
            intro="The objectives come from ops/slo.ts, the same file the alert rules are written from."
          >
            <SloTable runs={runs} />
          </Section>
          <Section id="invariants" title="Invariants of checkout">
            {runs.map((x) => (
              <div key={x.label}>
                {two ? <h3>{x.label}</h3> : null}
                <Invariants items={x.invariants} />
              </div>
            ))}
          </Section>
          {capacityRun ? (
            <Section id="capacity" title="Capacity: where it stops carrying more">
              <Charts specs={group('capacity')} />
              <Steps run={capacityRun} knee={r.knee} />
            </Section>
          ) : null}
          <Section
            id="latency"
            title="Latency over time, per class"
            intro={`Measured from when each request was due to leave, so a slow generator cannot hide waiting. ${two ? 'Solid lines: ' + runs[0]!.label + '; dashed: ' + runs[1]!.label + '. ' : ''}The dotted red line is the objective.`}
          >
            {classesWithFigures.size === 0 ? <p>No requests were answered.</p> : <Charts specs={group('latency')} />}
          </Section>
          <Section
            id="traffic"
            title="Throughput, errors and shedding"
            intro={two ? `Solid lines: ${runs[0]!.label}; dashed: ${runs[1]!.label}.` : undefined}
          >
            <Charts specs={group('traffic')}>
              <div>
                <h3>Failures by status and code</h3>
                <ErrorsByKind runs={runs} />
                {runs.some((x) => Object.keys(x.errorsByKind).some((k) => k.startsWith('409 '))) ? (
                  <p class="intro">A 409 sold-out answer at checkout is a correct answer, not a failure: the SLO does not count it.</p>
                ) : null}
              </div>
            </Charts>
          </Section>
          <Section id="sale" title="Flash sale, payments and the load generator">
            <div class="boxes">
              {runs.map((x) => (
                <FlashSale key={x.label} run={x} showLabel={two} />
              ))}
              {runs.map((x) => (
                <Generator key={x.label} run={x} showLabel={two} />
              ))}
            </div>
          </Section>
          <Section
            id="server"
            title="The server, from its own metrics"
            intro={`Sampled from each process role's /metrics. ${two ? `Solid lines: ${runs[0]!.label}; dashed: ${runs[1]!.label}.` : ''}`}
          >
            {group('server').length === 0 ? <p>No server samples in this run.</p> : <Charts specs={group('server')} />}
          </Section>
          <Section
            id="model"
            title="The model: what was replayed"
            intro="The traffic model's parameters, and every rate the generator used with the arithmetic that gave it."
          >
            <Model report={r} />
          </Section>
        </main>
        <footer>
          <p>
            Written by <code>load/report.ts</code>; the figures are in the JSON file beside this one. Re-draw with{' '}
            <code>{'npm run load:report -- <file.json>'}</code>.
          </p>
        </footer>
      </body>
    </html>
  );
}
