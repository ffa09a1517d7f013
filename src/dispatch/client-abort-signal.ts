import type { FastifyReply } from 'fastify';

/**
 * An abort undici accepts as a request's signal: an object with `on`/`once`/`removeListener` for an
 * `abort` event. The native pass-through makes one per request: an AbortController with its
 * EventTarget listeners cost it about 2 % of its CPU, and an EventEmitter allocates more than these
 * two fields (profiled). Aborting rejects a call under way with undici's `AbortError`, as a real
 * signal does; a call not yet sent is not seen by undici (it reads only `aborted`), so the
 * dispatcher checks `isAborted` before each attempt. Its state is `stopped`, not `aborted`: undici
 * takes anything with `aborted` for a real AbortSignal.
 */
export class ClientAbort {
  stopped = false;
  #listeners: Array<() => void> | undefined = undefined;

  on(event: string, listener: () => void): this {
    if (event !== 'abort') return this;
    if (this.#listeners === undefined) this.#listeners = [listener];
    else this.#listeners.push(listener);
    return this;
  }

  /** `abort` happens at most once, so every listener is a once-listener. */
  once(event: string, listener: () => void): this {
    return this.on(event, listener);
  }

  removeListener(event: string, listener: () => void): this {
    const listeners = this.#listeners;
    const index = event === 'abort' && listeners !== undefined ? listeners.indexOf(listener) : -1;
    if (index !== -1) listeners?.splice(index, 1);
    return this;
  }

  abort(): void {
    if (this.stopped) return;
    this.stopped = true;
    const listeners = this.#listeners ?? [];
    this.#listeners = undefined;
    for (const listener of listeners) listener();
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
  // `close` comes once: a plain listener, without the wrapper `once` makes.
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) abort.abort();
  });
  return abort;
}
