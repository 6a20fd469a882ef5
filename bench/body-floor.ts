import Fastify from 'fastify';
import autocannon from 'autocannon';
import type { AddressInfo } from 'node:net';

/**
 * The floor under the pages' "80 % of the JSON route" target: the same machine, the same load
 * generator and connections, no Atelier code. A bare Fastify route sends a body the size of the
 * product JSON (2.7 KB) and another the size of the product page (10 KB); the ratio of their
 * request rates is the best a page of that size can reach beside its JSON twin here, since
 * autocannon shares the cores and parses every byte. Run: `node --import tsx bench/body-floor.ts`.
 */
const SIZES = { json: 2_700, page: 10_000 } as const;
const ROUNDS = 3;

const app = Fastify();
for (const [name, size] of Object.entries(SIZES)) {
  const body = Buffer.alloc(size, 'x');
  app.get(`/${name}`, (_request, reply) => reply.type('text/plain').send(body));
}
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
const rates: Record<string, number[]> = { json: [], page: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const name of Object.keys(SIZES)) {
    const result = await autocannon({ url: `${base}/${name}`, connections: 50, duration: 5 });
    rates[name]!.push(result.requests.average);
  }
}
await app.close();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [name, xs] of Object.entries(rates))
  console.log(`${name} (${SIZES[name as keyof typeof SIZES]} B): ${xs.map(Math.round).join(', ')} req/s`);
console.log(
  `floor: a ${SIZES.page} B body at ${Math.round((100 * median(rates.page!)) / median(rates.json!))} % of a ${SIZES.json} B body's rate`,
);
