import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A tiny local SMTP server that keeps every message it receives (not itself a test file). */
export type LocalSmtp = Readonly<{ url: string; received: string[]; close(): Promise<void> }>;

export async function startLocalSmtp(): Promise<LocalSmtp> {
  const received: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push(Buffer.concat(chunks).toString('utf8'));
        callback();
      });
    },
  });
  // A client that drops the connection (a fault proxy resetting it) is not the server's failure.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export { unfold } from '../../../test/support/mail.ts';
