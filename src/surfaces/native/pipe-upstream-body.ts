import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { errors } from '../../errors/app-error.ts';
import type { ChunkMasker } from '../../secrets/key-masker.ts';
import { FrameBoundary } from './frame-boundary.ts';
import { type StreamFraming, streamErrorTail } from './stream-error-tail.ts';

export type PipeOptions = {
  /** Set for streaming calls: a failure midway ends with an error element in this framing. */
  framing: StreamFraming | undefined;
  /** Masks the pool key in the bytes as they pass (a tail that could begin it waits for the next chunk). */
  mask?: ChunkMasker | undefined;
  /** Sees every chunk as it passes (nothing is held back for it). */
  observe?: (chunk: Buffer) => void;
  /** How it ended, for logs and the pool. */
  onEnd: (failure: unknown) => void;
};

/**
 * Writes the upstream body to the client's response chunk by chunk, as each arrives, pausing the
 * upstream while the client is slow (backpressure). Straight onto the response, with no stream in
 * between: per chunk, one listener call and one write. If a stream fails midway, it ends with an
 * error element in its own framing instead of a truncated "success"; any other body is cut, so the
 * client sees a broken response rather than a complete-looking one. The response's status and
 * headers must already be written.
 */
export function pipeUpstreamBody(upstream: Readable, response: ServerResponse, options: PipeOptions): void {
  // The client left before the answer came (its `close` has been and gone): nothing to write to.
  if (response.destroyed) {
    upstream.on('error', () => {});
    upstream.destroy();
    options.onEnd(undefined);
    return;
  }
  let sentBytes = 0;
  const boundary = options.framing === undefined ? undefined : new FrameBoundary(options.framing);
  const mask = options.mask;
  const forward = (chunk: Buffer): boolean => {
    sentBytes += chunk.length;
    boundary?.add(chunk);
    options.observe?.(chunk);
    return response.write(chunk);
  };
  upstream.on('data', (received: Buffer) => {
    const chunk = mask === undefined ? received : mask.push(received);
    if (chunk !== undefined && !forward(chunk)) upstream.pause();
  });
  response.on('drain', () => upstream.resume());
  upstream.on('end', () => {
    const rest = mask?.end();
    if (rest !== undefined) forward(rest);
    response.end();
    options.onEnd(undefined);
  });
  upstream.on('error', (error) => {
    const failure = error.name === 'BodyTimeoutError' ? errors.upstreamTimeout(error) : error;
    // A tail only fits between two elements; cut mid-element, the stream is simply broken off.
    if (sentBytes > 0 && options.framing !== undefined && boundary?.atBoundary) {
      response.end(streamErrorTail(options.framing, failure));
    } else response.destroy();
    options.onEnd(failure);
  });
  // The client went away: stop reading upstream at once (undici aborts the request).
  response.on('close', () => {
    if (!upstream.readableEnded) upstream.destroy();
  });
}
