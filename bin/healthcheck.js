#!/usr/bin/env node
// The image's HEALTHCHECK: exit 0 when this container's Atelier process answers. A process that
// serves the API (`api`, `start`) must answer GET /health on PORT; the others (`worker`,
// `payment-provider`) must accept a connection on their listener (METRICS_PORT or
// PAYMENT_PROVIDER_PORT). The role is read from PID 1's command line.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

const env = process.env;
let args = [];
try {
  args = readFileSync('/proc/1/cmdline', 'utf8').split('\0');
} catch {
  // Not in a container (no PID 1 to read): check the API.
}
const role = ['worker', 'payment-provider', 'migrate'].find((r) => args.includes(r)) ?? 'api';
const done = (ok) => process.exit(ok ? 0 : 1);
setTimeout(() => done(false), 2500).unref();

if (role === 'migrate') done(true);
else if (role === 'api') {
  fetch(`http://127.0.0.1:${env.PORT || 3000}/health`).then(
    (r) => done(r.ok),
    () => done(false),
  );
} else {
  const port = Number(role === 'worker' ? env.METRICS_PORT || 9464 : env.PAYMENT_PROVIDER_PORT || 3100);
  const socket = connect({ host: '127.0.0.1', port }, () => done(true));
  socket.on('error', () => done(false));
}
