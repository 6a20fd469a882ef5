/**
 * Writes a lab run as one self-contained HTML file and the JSON it was drawn from, side by side
 * (`<scenario>-<stamp>.html` and `.json`). The HTML needs no network: uPlot's script and styles,
 * the report's styles, the chart data and the script that draws it are all inside, and a Content
 * Security Policy in the page forbids every fetch, so a report opened years later, offline or
 * attached to an email, shows what it showed on the day.
 *
 * The page is rendered with Preact on the server (load/report-page.tsx), as the site's own pages
 * are: every value from the run (labels, error codes, a verdict sentence) is escaped by default,
 * where template strings would need an escape call at each of some hundred places, and the page is
 * written as components a reader of src/web already knows.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';
import { h } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { jsonForScript } from '../src/web/components/document.tsx';
import { chartsOf } from './report-charts.ts';
import { ReportPage } from './report-page.tsx';
import type { LabReport } from './types.ts';

type Assets = Readonly<{ uplotJs: string; uplotCss: string; css: string; client: string }>;

let assets: Promise<Assets> | null = null;

/** uPlot's built files, the report's styles and its drawing script, read and bundled once per process. */
function loadAssets(): Promise<Assets> {
  assets ??= (async () => {
    const require = createRequire(import.meta.url);
    const dist = path.dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
    const bundled = await build({
      entryPoints: [path.join(import.meta.dirname, 'report-client.ts')],
      bundle: true,
      format: 'iife',
      minify: true,
      write: false,
      target: 'es2020',
      legalComments: 'none',
    });
    const [uplotJs, uplotCss, css] = await Promise.all([
      readFile(path.join(dist, 'uPlot.iife.min.js'), 'utf8'),
      readFile(path.join(dist, 'uPlot.min.css'), 'utf8'),
      readFile(path.join(import.meta.dirname, 'report.css'), 'utf8'),
    ]);
    return { uplotJs, uplotCss, css, client: bundled.outputFiles[0]!.text };
  })();
  return assets;
}

/** A script or style can never end its own element early. */
function inlineSafe(code: string): string {
  return code.replace(/<\/(script|style)/gi, '<\\/$1');
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** The whole report as one HTML document. */
export async function renderReport(report: LabReport): Promise<string> {
  const a = await loadAssets();
  const charts = chartsOf(report);
  const css = inlineSafe(`${a.uplotCss}\n${a.css}`);
  const uplot = inlineSafe(a.uplotJs);
  const client = inlineSafe(a.client);
  // Only these two scripts and this one stylesheet may run; nothing may be fetched.
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(uplot)} ${sha256(client)}`,
    `style-src ${sha256(css)}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const body = renderToString(h(ReportPage, { report, charts, css, csp }));
  // The data and the scripts go last in the body: the text above reads before any chart is drawn.
  const scripts =
    `<script type="application/json" id="report-charts">${jsonForScript(charts)}</script>` +
    `<script>${uplot}</script><script>${client}</script>`;
  return `<!doctype html>${body.replace('</body>', `${scripts}</body>`)}`;
}

/** `2026-12-07T17:58:03.120Z` -> `20261207-175803`: sorts by time and is safe in any file system. */
export function fileStamp(startedAt: string): string {
  const d = new Date(startedAt);
  if (Number.isNaN(d.getTime())) throw new Error(`LOAD_REPORT_INVALID: startedAt is not a date: ${JSON.stringify(startedAt)}`);
  return d
    .toISOString()
    .replace(/\.\d+Z$/, '')
    .replace(/[-:]/g, '')
    .replace('T', '-');
}

/** Writes `<scenario>-<stamp>.html` and `.json` into `dir` (made if missing) and returns their paths. */
export async function writeReport(report: LabReport, dir: string): Promise<{ html: string; json: string }> {
  await mkdir(dir, { recursive: true });
  const base = path.join(dir, `${report.scenario}-${fileStamp(report.startedAt)}`);
  const html = `${base}.html`;
  const json = `${base}.json`;
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(html, await renderReport(report));
  return { html, json };
}

const SCENARIOS = ['normal', 'spike', 'capacity', 'soak', 'without'];

/** A saved report with the fields the page cannot do without; the error names the field at fault. */
export function parseLabReport(text: string, file: string): LabReport {
  const fail = (field: string, why: string): never => {
    throw new Error(`LOAD_REPORT_INVALID: ${file}: ${field} ${why}`);
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return fail('(file)', `is not JSON: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null) return fail('(file)', 'is not an object');
  const r = value as Record<string, unknown>;
  if (typeof r.scenario !== 'string' || !SCENARIOS.includes(r.scenario)) fail('scenario', `must be one of ${SCENARIOS.join(', ')}`);
  if (typeof r.verdict !== 'string') fail('verdict', 'must be a string');
  if (typeof r.pass !== 'boolean') fail('pass', 'must be true or false');
  if (typeof r.startedAt !== 'string' || Number.isNaN(Date.parse(r.startedAt))) fail('startedAt', 'must be a date');
  const m = r.model as Record<string, unknown> | undefined;
  if (typeof m?.parameters !== 'object' || !Array.isArray(m.derived)) fail('model', 'must have parameters and derived');
  if (typeof r.machine !== 'object' || r.machine === null) fail('machine', 'must be an object');
  if (!Array.isArray(r.runs) || r.runs.length === 0) fail('runs', 'must be a list of one or two runs');
  (r.runs as unknown[]).forEach((run, i) => {
    const x = run as Record<string, unknown> | null;
    for (const list of ['windows', 'server', 'slo', 'invariants'] as const) {
      if (!Array.isArray(x?.[list])) fail(`runs[${i}].${list}`, 'must be a list');
    }
    for (const obj of ['totals', 'errorsByKind', 'payment', 'generator', 'deployment'] as const) {
      if (typeof x?.[obj] !== 'object' || x[obj] === null) fail(`runs[${i}].${obj}`, 'must be an object');
    }
    if (typeof x?.label !== 'string') fail(`runs[${i}].label`, 'must be a string');
    if (typeof x?.windowMs !== 'number' || typeof x.durationMs !== 'number') fail(`runs[${i}].windowMs`, 'and durationMs must be numbers');
  });
  return value as LabReport;
}
