import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import type { ErrorResponse } from './schemas.ts';

/** What Node's HTTP parser refuses before Fastify sees a request, in the one error shape. */
function describe(code: string | undefined): { status: number; body: ErrorResponse } {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return {
      status: 431,
      body: {
        error: {
          code: 'HEADERS_TOO_LARGE',
          message: 'The request headers are too large; send fewer or shorter headers (cookies included)',
        },
      },
    };
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, body: { error: { code: 'REQUEST_TIMEOUT', message: 'The request took too long to arrive' } } };
  }
  return { status: 400, body: { error: { code: 'BAD_REQUEST', message: 'The request is not valid HTTP/1.1' } } };
}

/**
 * Fastify's `clientErrorHandler`: answers a request that Node's HTTP parser refused (oversized
 * headers 431, a malformed request 400, a request that never finished 408) with the same
 * `{ error: { code, message } }` body as every other answer, instead of Fastify's default
 * `{ error, message, statusCode }`. Like the default, it then closes the connection: after a parse
 * error the rest of the stream cannot be trusted.
 */
export function clientErrorHandler(log: FastifyBaseLogger): (err: Error & { code?: string }, socket: Socket) => void {
  return (err, socket) => {
    // A reset connection has nobody to answer.
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const { status, body } = describe(err.code);
    log.debug({ err }, 'client error');
    if (socket.writable) {
      const text = JSON.stringify(body);
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
      );
    }
    socket.destroy(err);
  };
}
