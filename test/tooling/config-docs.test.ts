import assert from 'node:assert/strict';
import { test } from 'node:test';
import { settingDocs, settingsSchema } from '../../src/app/config.ts';
import { readConfigDocs, renderConfigDocs, settingRows } from '../../scripts/config-docs.ts';

test('docs/configuration.md is what `npm run docs:config` writes from src/app/config.ts', async () => {
  const committed = await readConfigDocs();
  const expected = await renderConfigDocs();
  if (committed === expected) return;
  const have = (committed ?? '').split('\n');
  const want = expected.split('\n');
  const first = want.findIndex((line, i) => line !== have[i]);
  assert.fail(
    [
      'docs/configuration.md disagrees with src/app/config.ts: run `npm run docs:config` and commit the result.',
      committed === null ? '(the file is missing)' : `first difference at line ${first + 1}:`,
      ...(committed === null ? [] : [`  file:      ${have[first] ?? '(end of file)'}`, `  generated: ${want[first] ?? '(end of file)'}`]),
    ].join('\n'),
  );
});

test('every setting has a description, and every description a setting', () => {
  const names = Object.keys(settingsSchema.shape);
  assert.deepEqual(Object.keys(settingDocs).sort(), [...names].sort());
  for (const row of settingRows()) assert.ok(row.description.trim().length > 0, `${row.name} has an empty description`);
});

test('the table shows defaults and accepted values as the schema has them', async () => {
  const rows = new Map(settingRows().map((r) => [r.name, r]));
  assert.equal(rows.get('PORT')?.default, '`3000`');
  assert.equal(rows.get('PORT')?.values, '0-65535');
  assert.equal(rows.get('COOKIE_SECURE')?.values, '`true`, `false`');
  assert.equal(rows.get('REDIS_URL')?.default, '(unset)');
  assert.match(rows.get('LOG_LEVEL')?.values ?? '', /`silent`/);
  const md = await renderConfigDocs([{ name: 'X_PIPE', default: '`1`', values: '', description: 'a | b' }]);
  assert.match(md, /a \\\| b/, 'a pipe in a description is escaped, not a new column');
});
