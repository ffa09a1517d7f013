import type { Readable } from 'node:stream';

/**
 * Reads a stream whole, up to `limit` bytes; `truncated` says whether more was dropped. Past the
 * limit the rest is destroyed, or, for a client's request (`drain`), read and thrown away so the
 * client still receives our answer. Plain listeners rather than an async iterator, and no copy for a
 * body that came in one chunk (the usual request and unary answer): this is on every call's path.
 */
export function readBounded(
  stream: Readable,
  limit: number,
  options: { drain?: boolean } = {},
): Promise<{ bytes: Buffer; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      if (size + chunk.length <= limit) {
        chunks.push(chunk);
        size += chunk.length;
        return;
      }
      chunks.push(chunk.subarray(0, limit - size));
      size = limit;
      cleanup();
      // What follows (the rest thrown away, or the stream destroyed) may still fail: nobody's concern.
      stream.on('error', () => {});
      if (options.drain) stream.resume();
      else stream.destroy();
      resolve({ bytes: Buffer.concat(chunks, size), truncated: true });
    };
    const onEnd = () => {
      cleanup();
      resolve({
        bytes: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size),
        truncated: false,
      });
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    // Destroyed without an error before its end: as an async iterator would, fail rather than pass a part as whole.
    const onClose = () => {
      if (stream.readableEnded) return;
      cleanup();
      reject(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}
