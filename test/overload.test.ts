import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import { after, test } from 'node:test';
import { DEFAULT_OVERLOAD, describeOverload, prepareShop, runOverload, servedPerSecond } from '../bench/overload.ts';
import { processEnv, runAtelier, stopProcess, waitForHttp } from './support/processes.ts';
import { freePort } from './support/scratch-postgres.ts';

/**
 * Overload (issue 5, "Protection"): one real `atelier start` (API, workers, embedded PostgreSQL,
 * simulated payments) with the shipped load-shedding settings, driven at twice the capacity it
 * was just measured to have (bench/overload.ts: closed loop for the capacity, then an open-model
 * mix of anonymous browsing and checkouts). The process must keep serving about its capacity
 * (issue 18), checkout must stay within its SLO while browsing is shed with 503 (a checkout over its
 * bounded share may be refused too, clearly), and the process must come out of it alive, with its
 * memory bounded.
 *
 * The same scenario, with longer phases: `npm run bench -- --only overload`.
 */
const STARTUP_MS = 180_000;
/** ops/prometheus/rules/atelier-slo.yml: checkout requests under 1 s. */
const CHECKOUT_SLO_MS = 1000;

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

test(
  'at twice its measured capacity it serves at least half its capacity, checkout p99 stays under 1 s while browsing is shed with 503; the process survives',
  { timeout: 300_000 },
  async () => {
    const env = await processEnv('atelier-overload-', {
      DEMO_SEED: 'false',
      BENCH_ROUTES: 'true',
      COOKIE_SECURE: 'false',
      RATE_LIMIT_ENABLED: 'false',
      // The shipped settings (runAtelier turns shedding off for other tests); false, to compare.
      SHED_ENABLED: process.env.SHED_ENABLED ?? 'true',
      LOG_LEVEL: 'warn',
      // A port of its own rather than 0: at LOG_LEVEL warn the line naming a chosen port is not logged.
      METRICS_PORT: String(await freePort()),
    });
    cleanups.push(() => rm(env.ATELIER_DATA_DIR!, { recursive: true, force: true }));
    const base = `http://127.0.0.1:${env.PORT}`;
    const proc = runAtelier(['start'], env);
    cleanups.push(() => stopProcess(proc, 'SIGKILL'));
    await waitForHttp(`${base}/ready`, proc, STARTUP_MS);
    // In production the shoppers are not on the server's machine. Here the load generator shares
    // two cores with it, and at twice the rate its own CPU would be taken from the server being
    // measured: it runs at a lower priority (nice 10; the server and its PostgreSQL, started
    // before, keep theirs). If it then falls behind, the assertion on the offered rate says so.
    os.setPriority(10);

    const shop = await prepareShop(base, DEFAULT_OVERLOAD);
    const r = await runOverload(base, `http://127.0.0.1:${env.METRICS_PORT}/metrics`, shop, DEFAULT_OVERLOAD);
    for (const line of describeOverload(r)) console.log(`# ${line}`);

    const o = r.overload;
    // Checkout never fails: every checkout is accepted, or refused over its bounded share the
    // documented way (503, Retry-After, OVERLOADED). How many are refused depends on how starved
    // the machine is (the share is places, not a rate): a fifth were in one CI run; most must pass.
    assert.deepEqual(o.checkout.other, {}, 'checkout answers other than 2xx and OVERLOADED');
    assert.ok(
      o.checkout.ok >= 0.5 * o.checkout.sent,
      `checkouts not accepted: ${JSON.stringify({ sent: o.checkout.sent, shed: o.checkout.shed, errors: o.checkout.errors })}`,
    );
    assert.ok(o.checkout.sent >= 20, `only ${o.checkout.sent} checkouts were sent`);
    assert.equal(r.checkoutSlo.total, o.checkout.sent, 'the server counted a different number of checkouts');
    // Goodput (issue 18): before the in-flight limit and checkout's share it served 2.7 % of the
    // capacity in the bench, and 16 to 37 % on the busy shared machine (2026-12-07). The target is
    // 80 % (the bench judges it); half leaves room for a test beside other suites.
    const served = servedPerSecond(o);
    assert.ok(
      served >= 0.5 * r.capacity.servedPerSec,
      `served ${served.toFixed(0)}/s for a capacity of ${r.capacity.servedPerSec.toFixed(0)}/s`,
    );
    assert.ok(
      r.checkoutSlo.withinOneSecond >= 0.99 * r.checkoutSlo.total,
      `checkout SLO missed: ${r.checkoutSlo.withinOneSecond} of ${r.checkoutSlo.total} within ${CHECKOUT_SLO_MS} ms`,
    );
    // The load really was about twice the capacity: the client kept pace with its clock (on two
    // shared cores it is starved too; what it could not send, it did not offer). Over the time it
    // was sending: the wait for its last answers is the backlog the overload built, not arrivals
    // (counting it failed a run whose client sent 9,587/s on time: 20 s of arrivals, 46 s in all).
    const offered = (o.browse.sent + o.checkout.sent) / o.sendingSeconds;
    assert.ok(
      offered >= 1.5 * r.capacity.servedPerSec,
      `offered ${offered.toFixed(0)}/s for a capacity of ${r.capacity.servedPerSec.toFixed(0)}/s`,
    );
    // Browsing is shed, and shed the documented way: every answer that is not 2xx is a 503 with
    // Retry-After and code OVERLOADED; no connection error, no other status.
    // How much is shed depends on how far past its capacity the process really was: the in-flight
    // limit (issue 18) serves more than the closed loop's capacity measures (188 % in one quiet
    // run, shedding 6 %), so no share is asked; every browse request was served or refused.
    assert.equal(o.browse.ok + o.browse.shed, o.browse.sent, 'every browse request served or shed');
    assert.deepEqual(o.browse.other, {}, 'browse answers other than 2xx and OVERLOADED');
    assert.deepEqual({ ...o.browse.errors, ...o.checkout.errors }, {}, 'connection errors');
    // Alive, still serving, and its memory bounded: the open-model client holds at most 512 requests
    // in flight, a few kB each; 256 MiB over the resting RSS would mean something grows with the load.
    assert.equal(proc.child.exitCode, null, 'the server exited');
    assert.equal((await fetch(`${base}/health`)).status, 200);
    assert.ok(o.rssBytes.length >= DEFAULT_OVERLOAD.overloadSec / 2, `only ${o.rssBytes.length} RSS samples: /metrics did not answer`);
    assert.ok(
      Math.max(...o.rssBytes) < r.rssBeforeBytes + 256 * 2 ** 20,
      `RSS grew from ${r.rssBeforeBytes} to ${Math.max(...o.rssBytes)}`,
    );
    // Once the flood stops, anonymous browsing is served again (after the hold and a sample or two).
    const deadline = Date.now() + 30_000;
    let status = 0;
    while (Date.now() < deadline && (status = (await fetch(`${base}/api/v1/products/${shop.productIds[0]!}`)).status) !== 200) {
      await new Promise((res) => setTimeout(res, 250));
    }
    assert.equal(status, 200, 'anonymous browsing was not served again after the overload');
  },
);
