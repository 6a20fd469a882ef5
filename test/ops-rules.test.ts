import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { REQUEST_OBJECTIVES } from '../ops/slo.ts';
import { slos } from '../scripts/slo-rules.ts';

/**
 * The shipped Prometheus files are checked by Prometheus's own tool: the scrape config and the rule
 * files parse, and the alert rules fire (and stay quiet) as the unit tests in
 * ops/prometheus/tests say. Skips, saying so, where promtool is missing (.ci/run installs Debian's
 * `prometheus` package, which ships it).
 */
const run = promisify(execFile);
const dir = path.resolve(import.meta.dirname, '../ops/prometheus');

async function promtool(): Promise<string | null> {
  for (const candidate of ['promtool', '/usr/bin/promtool']) {
    try {
      await run(candidate, ['--version']);
      return candidate;
    } catch {
      // not there: try the next
    }
  }
  return null;
}

const tool = await promtool();
const skip = tool ? false : 'promtool is not installed (apt-get install prometheus); the Prometheus rules are not checked';

test('promtool check config: the scrape config and its rule files', { skip }, async () => {
  const { stdout } = await run(tool!, ['check', 'config', 'prometheus.yml'], { cwd: dir });
  assert.match(stdout, /SUCCESS: 2 rule files found/);
});

test('promtool check rules: every rule file', { skip }, async () => {
  const files = (await readdir(path.join(dir, 'rules'))).filter((f) => f.endsWith('.yml')).map((f) => path.join('rules', f));
  assert.ok(files.length >= 2);
  const { stdout } = await run(tool!, ['check', 'rules', ...files], { cwd: dir });
  assert.equal(stdout.match(/SUCCESS/g)?.length, files.length, stdout);
});

test('promtool test rules: the SLO burn-rate and health alerts fire, and stay quiet, as the cases say', { skip }, async () => {
  const files = (await readdir(path.join(dir, 'tests'))).filter((f) => f.endsWith('.yml')).map((f) => path.join('tests', f));
  assert.ok(files.length >= 1);
  const { stdout } = await run(tool!, ['test', 'rules', ...files], { cwd: dir });
  assert.match(stdout, /SUCCESS/);
  assert.doesNotMatch(stdout, /FAILED/);
});

test('every SLO alert has a test case that fires it', { skip }, async () => {
  const rules = await readFile(path.join(dir, 'rules/atelier-slo.yml'), 'utf8');
  const cases = await readFile(path.join(dir, 'tests/atelier-slo.test.yml'), 'utf8');
  // Two burn alerts per SLO that ops/slo.ts gives rules for (scripts/slo-rules.ts), and the ticket
  // of each objective that allows no errors.
  const fast = [...rules.matchAll(/alert: (Atelier\w+BurnRateFast)/g)].map((m) => m[1]!);
  assert.equal(fast.length, slos().length);
  const zeroBudget = REQUEST_OBJECTIVES.filter((o) => o.rule && o.maxErrorRatio === 0).length;
  // A case fires an alert when it expects at least one (`exp_alerts: []` is a case that stays
  // quiet); promtool, in the test above, holds the alert to it.
  const every = [...rules.matchAll(/alert: (Atelier\w+)/g)].map((m) => m[1]!);
  assert.equal(every.length, 2 * slos().length + zeroBudget);
  for (const name of every) {
    assert.match(cases, new RegExp(`alertname: ${name}\\n\\s*exp_alerts:\\n\\s*- exp_labels:`), `a case fires ${name}`);
  }
});

test('the Grafana dashboard is valid JSON with a panel for each family', async () => {
  const dashboard = JSON.parse(await readFile(path.resolve(dir, '../grafana/atelier-dashboard.json'), 'utf8')) as {
    panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
  };
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  assert.ok(exprs.length >= 10);
  const families = new Set(
    exprs.flatMap((e) => [...e.matchAll(/\b((?:atelier|nodejs|process)_[a-z_0-9]+|atelier:[a-z_:0-9]+)/g)].map((m) => m[1]!)),
  );
  for (const needed of [
    'atelier_http_requests_total',
    'atelier_http_request_duration_seconds_bucket',
    'atelier_db_query_duration_seconds_bucket',
    'atelier_db_pool_connections',
    'atelier_cache_hits_total',
    'atelier_cache_misses_total',
    'atelier_queue_depth',
    'atelier_queue_oldest_job_age_seconds',
    'atelier_circuit_breaker_state',
    'atelier_replica_lag_seconds',
    'nodejs_eventloop_lag_p99_seconds',
    'process_resident_memory_bytes',
  ]) {
    assert.ok(families.has(needed), `a panel shows ${needed}`);
  }
});
