import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { runLab, settingsFrom } from '../../load/run.ts';
import { serverPort } from '../support/processes.ts';

/**
 * The load lab's `normal` scenario, short, against a deployment it starts itself (level 1, the
 * embedded PostgreSQL in a scratch folder): every SLO and every checkout invariant must hold.
 * `.ci/run` runs this file after `npm test`, alone on the machine: a load test beside the test
 * suite's own servers would measure them. Run it alone the same way:
 * `node --import tsx --test test/load/normal-run.lab.ts`.
 */
test('a short normal day holds every SLO and invariant, and writes its report', { timeout: 600_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'atelier-lab-'));
  try {
    const env = {
      ...process.env,
      LAB_DATA_DIR: path.join(dir, 'data'),
      LAB_REPORT_DIR: path.join(dir, 'reports'),
      LAB_PRODUCTS: '200',
      LAB_NORMAL_SECONDS: process.env.LAB_NORMAL_SECONDS ?? '40',
      // A 5,000-user day sends a few shoppers a minute: too few in 40 s for a p99 (the lab judges a
      // class's p99 from 100 answers). The same model at ten times the users, and four times the
      // conversion, gives about a hundred shoppers and a few orders, so pages, reads, checkout,
      // payment and the invariants are all judged.
      LAB_DAILY_USERS: '50000',
      LAB_CONVERSION: '0.1',
      LAB_ADD_TO_CART_SHARE: '0.2',
    };
    const base = settingsFrom(['normal'], env);
    const ports = {
      api: await serverPort(),
      apiMetrics: await serverPort(),
      workerMetrics: await serverPort(),
      provider: await serverPort(),
    };
    const settings = { ...base, ports: { ...ports, postgres: await serverPort() } };
    const lines: string[] = [];
    const { report, files } = await runLab(settings, (l) => lines.push(l));
    const [run] = report.runs;
    assert.ok(run, lines.join('\n'));
    for (const line of [...lines, report.verdict, ...run.slo.map((v) => `${v.class}: ${v.measured}`)]) console.log(`# ${line}`);

    // The shoppers walked pages, reads and searches, and some bought.
    for (const c of ['page', 'read'] as const)
      assert.ok((run.totals[c]?.answered ?? 0) > 10, `few ${c} requests: ${JSON.stringify(run.totals[c])}`);
    assert.ok(run.windows.length >= 10, 'a window every 2 s');
    assert.ok(run.server.some((s) => s.role === 'api') && run.server.some((s) => s.role === 'worker'), 'the server series of both roles');
    assert.deepEqual(
      run.invariants.filter((i) => !i.pass),
      [],
    );
    assert.deepEqual(
      run.slo.filter((v) => !v.pass),
      [],
    );
    assert.equal(report.pass, true, report.verdict);

    const json = JSON.parse(await readFile(files.json, 'utf8')) as { verdict: string };
    assert.equal(json.verdict, report.verdict);
    assert.match(await readFile(files.html, 'utf8'), /<html/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
