import { PassThrough, type Readable } from 'node:stream';
import { errors } from '../../errors/app-error.ts';
import { streamErrorTail } from './stream-error-tail.ts';

/**
 * Copies the upstream body to the client chunk by chunk, pausing the upstream while the client is
 * slow (backpressure). If the upstream fails midway, the stream ends with an error element in its
 * own framing instead of a truncated "success". `onEnd` reports how it ended, for logs and the pool.
 */
export function pipeUpstreamBody(
  upstream: Readable,
  contentType: string | undefined,
  onEnd: (failure: unknown) => void,
): PassThrough {
  const output = new PassThrough();
  let sentBytes = 0;
  upstream.on('data', (chunk: Buffer) => {
    sentBytes += chunk.length;
    if (!output.write(chunk)) upstream.pause();
  });
  output.on('drain', () => upstream.resume());
  upstream.on('end', () => {
    output.end();
    onEnd(undefined);
  });
  upstream.on('error', (error) => {
    const failure = error.name === 'BodyTimeoutError' ? errors.upstreamTimeout(error) : error;
    const tail = sentBytes > 0 ? streamErrorTail(contentType, failure) : undefined;
    if (tail === undefined) output.destroy(failure);
    else output.end(tail);
    onEnd(failure);
  });
  // The client went away: stop reading upstream at once (undici aborts the request).
  output.on('close', () => {
    if (!upstream.readableEnded) upstream.destroy();
  });
  return output;
}
