import { after, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { assertAccessible, launchBrowser, SCREENSHOT_DIR } from '../support/browser.ts';
import { parseLabReport, renderReport, writeReport } from '../../load/report.ts';
import { chartsOf } from '../../load/report-charts.ts';
import type { LabReport } from '../../load/types.ts';
import { capacityReport, spikeReport, withoutReport } from './report-fixture.ts';

/**
 * The lab's HTML report (load/report.ts), drawn from made-up runs (report-fixture.ts) and opened in
 * Chromium from a file, as a founder would open it from an email: it must fetch nothing, draw
 * every chart, say the verdict and every SLO in words, pass axe, and fit a narrow window.
 */
describe('load lab report', () => {
  let browser: Browser | null = null;
  let dir = '';
  after(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  async function open(t: TestContext): Promise<Browser | null> {
    browser ??= await launchBrowser(t);
    dir ||= await mkdtemp(path.join(tmpdir(), 'atelier-load-report-'));
    return browser;
  }

  /** Per chart: did a canvas appear, and did anything get painted on it. */
  async function chartsDrawn(page: Page) {
    return page.$$eval('[data-chart]', (els) =>
      els.map((el) => {
        const canvas = el.querySelector('canvas');
        let painted = 0;
        if (canvas && canvas.width > 0 && canvas.height > 0) {
          const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
          for (let i = 3; i < pixels.length && painted <= 1000; i += 4) if (pixels[i]! > 0) painted++;
        }
        return {
          id: (el as HTMLElement).dataset.chart!,
          canvas: canvas !== null,
          painted,
          legend: el.querySelector('.u-legend')?.textContent ?? '',
        };
      }),
    );
  }

  const fixtures: ReadonlyArray<readonly [string, () => LabReport]> = [
    ['spike', spikeReport],
    ['without', withoutReport],
    ['capacity', capacityReport],
  ];

  for (const [name, build] of fixtures) {
    test(`${name}: a self-contained page with the verdict, every SLO and every chart drawn`, async (t) => {
      const b = await open(t);
      if (!b) return;
      const report = build();
      const files = await writeReport(report, dir);
      assert.match(path.basename(files.html), new RegExp(`^${report.scenario}-\\d{8}-\\d{6}\\.html$`));
      assert.equal(files.json, files.html.replace(/\.html$/, '.json'));
      assert.deepEqual(
        JSON.parse(await readFile(files.json, 'utf8')),
        JSON.parse(JSON.stringify(report)),
        'the JSON beside it is the report',
      );

      const context = await b.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const url = pathToFileURL(files.html).href;
      const requests: string[] = [];
      const problems: string[] = [];
      page.on('request', (r) => {
        if (r.url() !== url) requests.push(r.url());
      });
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      try {
        await page.goto(url, { waitUntil: 'load' });

        // The verdict, first and in words.
        assert.equal((await page.locator('[data-verdict]').textContent())?.trim(), report.verdict);
        assert.equal((await page.locator('.verdict .word').textContent())?.trim(), report.pass ? '✓ PASS' : '✗ FAIL');

        // One row per SLO, with the objective and each run's measurement and verdict in words.
        const classes = [...new Set(report.runs.flatMap((r) => r.slo.map((s) => s.class)))];
        assert.equal(await page.locator('table.slo tbody tr').count(), classes.length);
        for (const c of classes) {
          const row = (await page.locator(`tr[data-slo="${c}"]`).textContent()) ?? '';
          for (const run of report.runs) {
            const v = run.slo.find((s) => s.class === c)!;
            assert.ok(row.includes(v.objective), `${c}: objective ${v.objective}`);
            assert.ok(row.includes(v.measured), `${c}: ${run.label} measured ${v.measured}`);
          }
          const verdicts = report.runs.map((r) => (r.slo.find((s) => s.class === c)!.pass ? 'Pass' : 'Fail'));
          assert.deepEqual(row.match(/Pass|Fail/g), verdicts, `${c}: the verdicts, in words`);
        }
        const invariants = report.runs.reduce((n, r) => n + r.invariants.length, 0);
        assert.equal(await page.locator('.invariants li').count(), invariants);

        // Every chart the report describes drew a canvas with something on it.
        const specs = chartsOf(report);
        const drawn = await chartsDrawn(page);
        assert.deepEqual(
          drawn.map((d) => d.id),
          specs.map((s) => s.id),
        );
        for (const d of drawn) {
          assert.ok(d.canvas, `${d.id}: a canvas`);
          assert.ok(d.painted > 1000, `${d.id}: painted (${d.painted} pixels)`);
        }
        assert.ok(specs.length >= 12, `${specs.length} charts`);
        for (const s of specs) assert.ok((await page.locator(`#chart-${s.id}-h`).textContent())?.trim(), `${s.id}: a heading`);

        if (report.runs.length === 2) {
          // Both runs on the same axes: every time chart's legend names both.
          for (const d of drawn.filter((x) => x.id !== 'capacity')) {
            for (const run of report.runs) assert.ok(d.legend.includes(run.label), `${d.id}: ${run.label} in the legend`);
          }
          assert.equal(await page.locator('table.slo thead th[scope="colgroup"]').count(), 2, 'the SLO tables side by side');
        }
        if (report.scenario === 'capacity') {
          const knee = report.knee!.dailyUsers.toLocaleString('en');
          assert.match((await page.locator('[data-knee]').textContent()) ?? '', new RegExp(`carries ${knee} daily users within its SLOs`));
          assert.ok(
            drawn.find((d) => d.id === 'capacity'),
            'the capacity chart',
          );
          assert.equal(await page.locator('tr.knee').count(), 1, 'the knee marked in the steps table');
        }
        const warning = report.runs.find((r) => r.generator.warning)?.generator.warning;
        if (warning)
          assert.ok(((await page.locator('header .warning').textContent()) ?? '').includes(warning), 'the generator warning at the top');

        await mkdir(SCREENSHOT_DIR, { recursive: true });
        await page.screenshot({ path: path.join(SCREENSHOT_DIR, `load-report-${name}.png`), fullPage: true });
        await assertAccessible(page, `load report ${name}`);

        // A narrower window: one chart to a row, nothing wider than the window.
        await page.setViewportSize({ width: 720, height: 900 });
        await page.waitForTimeout(100);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `nothing wider than 720 px (${overflow} px over)`);
        const narrow = await chartsDrawn(page);
        assert.ok(
          narrow.every((d) => d.painted > 0),
          'the charts are drawn again at the narrower width',
        );
        await page.screenshot({ path: path.join(SCREENSHOT_DIR, `load-report-${name}-narrow.png`), fullPage: true });

        assert.deepEqual(requests, [], 'the report fetches nothing');
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });
  }

  test('values from a run are text, never markup or script', async () => {
    const base = spikeReport();
    const hostile = '</script><script>window.hacked=1</script><img src=x onerror=alert(1)>';
    const report: LabReport = {
      ...base,
      verdict: hostile,
      runs: [{ ...base.runs[0]!, label: hostile, errorsByKind: { [hostile]: 3 } }],
    };
    const html = await renderReport(report);
    assert.ok(!html.includes('<img src=x'), 'no image element from a value');
    assert.equal(html.split('<script>window.hacked').length, 1, 'no script element from a value');
    assert.ok(html.includes('&lt;/script>&lt;script>window.hacked=1&lt;/script>'), 'the verdict is shown as text');
  });

  test('a saved report that is not one is refused with the field at fault', () => {
    const good = JSON.stringify(spikeReport());
    assert.equal(parseLabReport(good, 'a.json').scenario, 'spike');
    assert.throws(() => parseLabReport('{', 'a.json'), /^Error: LOAD_REPORT_INVALID: a\.json: \(file\) is not JSON/);
    const noRuns = { ...spikeReport(), runs: [] };
    assert.throws(() => parseLabReport(JSON.stringify(noRuns), 'a.json'), /LOAD_REPORT_INVALID: a\.json: runs must be a list/);
    const noWindows = { ...spikeReport(), runs: [{ ...spikeReport().runs[0]!, windows: undefined }] };
    assert.throws(
      () => parseLabReport(JSON.stringify(noWindows), 'b.json'),
      /LOAD_REPORT_INVALID: b\.json: runs\[0\]\.windows must be a list/,
    );
    assert.throws(() => parseLabReport(JSON.stringify({ ...spikeReport(), scenario: 'rush' }), 'c.json'), /scenario must be one of/);
  });
});
