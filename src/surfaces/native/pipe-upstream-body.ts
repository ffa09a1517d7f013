import { PassThrough, type Readable } from 'node:stream';
import { errors } from '../../errors/app-error.ts';
import { FrameBoundary } from './frame-boundary.ts';
import { type StreamFraming, streamErrorTail } from './stream-error-tail.ts';

export type PipeOptions = {
  /** Set for streaming calls: a failure midway ends with an error element in this framing. */
  framing: StreamFraming | undefined;
  /** Sees every chunk as it passes (nothing is held back for it). */
  observe?: (chunk: Buffer) => void;
  /** How it ended, for logs and the pool. */
  onEnd: (failure: unknown) => void;
};

/**
 * Copies the upstream body to the client chunk by chunk, pausing the upstream while the client is
 * slow (backpressure). If a stream fails midway, it ends with an error element in its own framing
 * instead of a truncated "success"; any other body is cut, so the client sees a broken response
 * rather than a complete-looking one.
 */
export function pipeUpstreamBody(upstream: Readable, options: PipeOptions): PassThrough {
  const output = new PassThrough();
  let sentBytes = 0;
  const boundary = options.framing === undefined ? undefined : new FrameBoundary(options.framing);
  upstream.on('data', (chunk: Buffer) => {
    sentBytes += chunk.length;
    boundary?.add(chunk);
    options.observe?.(chunk);
    if (!output.write(chunk)) upstream.pause();
  });
  output.on('drain', () => upstream.resume());
  upstream.on('end', () => {
    output.end();
    options.onEnd(undefined);
  });
  upstream.on('error', (error) => {
    const failure = error.name === 'BodyTimeoutError' ? errors.upstreamTimeout(error) : error;
    // A tail only fits between two elements; cut mid-element, the stream is simply broken off.
    if (sentBytes > 0 && options.framing !== undefined && boundary?.atBoundary) {
      output.end(streamErrorTail(options.framing, failure));
    } else output.destroy(failure);
    options.onEnd(failure);
  });
  // The client went away: stop reading upstream at once (undici aborts the request).
  output.on('close', () => {
    if (!upstream.readableEnded) upstream.destroy();
  });
  return output;
}
