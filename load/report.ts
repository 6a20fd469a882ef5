import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LabReport } from './types.ts';

/** Placeholder until the report renderer lands: the JSON and a page that shows the verdict. */
export async function renderReport(report: LabReport): Promise<string> {
  return `<!doctype html><html lang="en"><title>Load lab: ${report.scenario}</title><p>${report.verdict.replace(/</g, '&lt;')}</p></html>`;
}

export async function writeReport(report: LabReport, dir: string): Promise<{ html: string; json: string }> {
  await mkdir(dir, { recursive: true });
  const stem = path.join(dir, `${report.scenario}-${report.startedAt.replace(/[:.]/g, '-')}`);
  await writeFile(`${stem}.json`, JSON.stringify(report, null, 1));
  await writeFile(`${stem}.html`, await renderReport(report));
  return { html: `${stem}.html`, json: `${stem}.json` };
}
