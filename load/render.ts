/**
 * `npm run load:report -- <file.json> [...]`: draws the HTML report again from a run's saved JSON,
 * beside it (`spike-20261207-175803.json` -> `spike-20261207-175803.html`). For after a change to
 * the report's code, or for a JSON file a colleague sent.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseLabReport, renderReport } from './report.ts';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: npm run load:report -- <report.json> [...]');
  process.exit(2);
}
for (const file of files) {
  try {
    const report = parseLabReport(await readFile(file, 'utf8'), file);
    const out = file.replace(/\.json$/, '') + '.html';
    await writeFile(out, await renderReport(report));
    console.log(`${out}: ${report.pass ? 'PASS' : 'FAIL'}: ${report.verdict}`);
  } catch (e) {
    console.error((e as Error).message);
    process.exitCode = 1;
  }
}
