import { EventEmitter } from 'node:events';
import type { FastifyReply } from 'fastify';

/**
 * An abort undici accepts as a request's signal (an EventEmitter that emits `abort`): the native
 * pass-through makes one per request, and an AbortController with its EventTarget listeners cost it
 * about 2 % of its CPU (profiled). Aborting rejects the upstream call with undici's `AbortError`, as a real signal
 * does. Its state is `stopped`, not `aborted`: undici takes anything with `aborted` for a real
 * AbortSignal.
 */
export class ClientAbort extends EventEmitter {
  stopped = false;

  abort(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.emit('abort');
  }
}

/** What a call may be stopped by: a real signal (translating surfaces share it with image fetches) or a `ClientAbort`. */
export type CallSignal = AbortSignal | ClientAbort;

export function isAborted(signal: CallSignal): boolean {
  return signal instanceof ClientAbort ? signal.stopped : signal.aborted;
}

/** Aborts when the client goes away before its answer was fully written: image fetches and the upstream call stop. */
export function clientAbortSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** The same for a call whose only listener is the upstream request. */
export function clientAbort(reply: FastifyReply): ClientAbort {
  const abort = new ClientAbort();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) abort.abort();
  });
  return abort;
}
