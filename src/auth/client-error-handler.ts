import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { errors } from '../errors/app-error.ts';
import { toGeminiErrorBody } from '../errors/wire-formats.ts';

/**
 * The reason phrases of the statuses below. Not node:http's STATUS_CODES: importing node:http from an
 * ES module reads every export, its lazy WebSocket among them, which loads Node's bundled undici
 * (~2.5 MiB of heap, ~10 MiB resident) that nothing here uses.
 */
const reasons: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/**
 * Answers a request Node could not parse (oversized headers, a timeout, malformed bytes) and closes.
 * Unlike Fastify's own handler it never logs the error object: Node attaches the raw bytes it read
 * (`rawPacket`), headers and any token included, and at LOG_LEVEL=trace they would reach the log.
 */
export function clientErrorHandler(logger: FastifyBaseLogger) {
  return (error: NodeJS.ErrnoException, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const status =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    logger.trace({ code: error.code, status }, 'client error');
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const body = toGeminiErrorBody(errors.clientConnection(status));
    socket.end(
      `HTTP/1.1 ${status} ${reasons[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=UTF-8\r\nConnection: close\r\n\r\n${body}`,
    );
  };
}
