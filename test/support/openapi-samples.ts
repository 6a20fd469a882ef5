/**
 * Plausible values for the JSON schemas of the OpenAPI document, for tests generated from it
 * (test/edge-input.test.ts, test/openapi-security.test.ts): a request built from them passes
 * validation, so what the test changes in it is the only thing wrong.
 */
import { randomUUID } from 'node:crypto';

export type Schema = {
  type?: string | string[];
  format?: string;
  pattern?: string;
  minLength?: number;
  minimum?: number;
  minItems?: number;
  minProperties?: number;
  const?: unknown;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  patternProperties?: Record<string, Schema>;
  items?: Schema;
};

// The last two: a password strong enough for the policy (12+ characters, not guessable), and the
// shape of an emailed one-time token (`<shard>.<43 characters>`).
const CANDIDATES = ['edge-x1', 'EUR', 'FR', 'EDGE-1', 'edge@example.test', 'Edge value', 'kiln smoke otter ladder', `0.${'A'.repeat(43)}`];

export function sampleString(s: Schema): string {
  if (s.const !== undefined) return JSON.stringify(s.const).replace(/^"|"$/g, '');
  if (s.enum) return JSON.stringify(s.enum[0]).replace(/^"|"$/g, '');
  switch (s.format) {
    case 'uuid':
      return randomUUID();
    case 'email':
      return `edge-${randomUUID().slice(0, 8)}@example.test`;
    case 'uri':
      return 'https://example.test/hook';
    case 'date-time':
      return new Date().toISOString();
    case 'date':
      return new Date().toISOString().slice(0, 10);
    default:
  }
  const fits = (v: string) => (!s.pattern || new RegExp(s.pattern, 'u').test(v)) && v.length >= (s.minLength ?? 0);
  return CANDIDATES.find(fits) ?? 'x'.repeat(Math.max(1, s.minLength ?? 1));
}

function typeOf(s: Schema): string | undefined {
  return Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type;
}

export function sample(s: Schema): unknown {
  const branch = s.anyOf ?? s.oneOf;
  if (branch) return sample(branch.find((b) => typeOf(b) !== 'null') ?? branch[0]!);
  if (s.const !== undefined) return s.const;
  switch (typeOf(s)) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const name of s.required ?? []) out[name] = sample(s.properties?.[name] ?? {});
      // An update body (`minProperties: 1`) with nothing required: its first fields.
      for (const [name, inner] of Object.entries(s.properties ?? {})) {
        if (Object.keys(out).length >= (s.minProperties ?? 0)) break;
        out[name] ??= sample(inner);
      }
      return out;
    }
    case 'array':
      return Array.from({ length: s.minItems ?? 0 }, () => sample(s.items ?? {}));
    case 'integer':
    case 'number':
      return Math.max(s.minimum ?? 1, 1);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return sampleString(s);
  }
}

/** Every string a body can carry, as a path and the sample it replaces; records get a key `size`. */
export function stringPaths(s: Schema, path: Array<string | number> = []): Array<{ path: Array<string | number>; good: string }> {
  const branch = s.anyOf ?? s.oneOf;
  if (branch) return stringPaths(branch.find((b) => typeOf(b) !== 'null') ?? branch[0]!, path);
  switch (typeOf(s)) {
    case 'object': {
      const out = Object.entries(s.properties ?? {}).flatMap(([k, v]) => stringPaths(v, [...path, k]));
      const record = typeof s.additionalProperties === 'object' ? s.additionalProperties : Object.values(s.patternProperties ?? {})[0];
      if (record) out.push(...stringPaths(record, [...path, 'size']));
      return out;
    }
    case 'array':
      return stringPaths(s.items ?? {}, [...path, 0]);
    case 'string':
      return s.const !== undefined || s.enum || s.format === 'binary' ? [] : [{ path, good: sampleString(s) }];
    default:
      return [];
  }
}

/** The baseline with `value` put at `path`, creating optional parents as samples. */
export function withValue(base: unknown, schema: Schema, path: Array<string | number>, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const branch = schema.anyOf ?? schema.oneOf;
  const s = branch ? (branch.find((b) => typeOf(b) !== 'null') ?? branch[0]!) : schema;
  if (typeof head === 'number') {
    const arr = Array.isArray(base) && base.length > 0 ? [...(base as unknown[])] : [sample(s.items ?? {})];
    arr[0] = withValue(arr[0], s.items ?? {}, rest, value);
    return arr;
  }
  const obj = { ...(base as Record<string, unknown>) };
  const inner =
    s.properties?.[head!] ??
    (typeof s.additionalProperties === 'object' ? s.additionalProperties : Object.values(s.patternProperties ?? {})[0]) ??
    {};
  obj[head!] = withValue(obj[head!] ?? sample(inner), inner, rest, value);
  return obj;
}
