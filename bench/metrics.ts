/**
 * Reading an Atelier process's `/metrics` (Prometheus text format) from the bench: every sample
 * keyed by `name{labels}` exactly as written, so a counter's growth between two scrapes is a
 * subtraction. Used by the checkout bench's cost meter and by the overload bench.
 */
export type Sample = ReadonlyMap<string, number>;

export function parseMetrics(text: string): Sample {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    const value = Number(line.slice(cut + 1));
    if (Number.isFinite(value)) out.set(line.slice(0, cut), value);
  }
  return out;
}

export async function scrape(metricsUrl: string): Promise<Sample> {
  const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${metricsUrl} answered ${res.status}`);
  return parseMetrics(await res.text());
}

/** The value of label `name` in a sample's key, if it has one. */
export function labelOf(key: string, name: string): string | undefined {
  return new RegExp(`${name}="([^"]*)"`).exec(key)?.[1];
}
