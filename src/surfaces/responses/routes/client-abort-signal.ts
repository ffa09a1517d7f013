import type { FastifyReply } from 'fastify';

/** Aborts when the client goes away before its answer was fully written: image fetches and the upstream call stop. */
export function clientAbortSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}
