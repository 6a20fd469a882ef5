import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { PROMETHEUS_RULE_PATH, prometheusRuleYaml } from '../../scripts/deploy-rules.ts';

// The kubectl-gated suite in test/deploy renders the overlays; this check needs no kubectl, so a
// rule edited without `npm run deploy:rules` fails everywhere, not only where kubectl is installed.
test('deploy/kubernetes/base/generated/prometheus-rule.yaml is what `npm run deploy:rules` writes', async () => {
  const committed = await readFile(PROMETHEUS_RULE_PATH, 'utf8');
  const expected = await prometheusRuleYaml();
  if (committed === expected) return;
  const have = committed.split('\n');
  const want = expected.split('\n');
  const first = want.findIndex((line, i) => line !== have[i]);
  const at = first === -1 ? want.length : first;
  assert.fail(
    [
      'the committed PrometheusRule differs from ops/prometheus/rules: run `npm run deploy:rules` and commit the result.',
      `first difference at line ${at + 1}:`,
      `  file:      ${have[at] ?? '(end of file)'}`,
      `  generated: ${want[at] ?? '(end of file)'}`,
    ].join('\n'),
  );
});
