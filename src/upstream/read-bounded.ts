import type { Readable } from 'node:stream';

/**
 * Reads a stream whole, up to `limit` bytes; `truncated` says whether more was dropped. Past the
 * limit the rest is destroyed, or, for a client's request (`drain`), read and thrown away so the
 * client still receives our answer.
 */
export async function readBounded(
  stream: Readable,
  limit: number,
  options: { drain?: boolean } = {},
): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream.iterator({ destroyOnReturn: options.drain !== true })) {
    const buffer = chunk as Buffer;
    if (size + buffer.length > limit) {
      chunks.push(buffer.subarray(0, limit - size));
      if (options.drain) stream.resume();
      else stream.destroy();
      return { bytes: Buffer.concat(chunks), truncated: true };
    }
    size += buffer.length;
    chunks.push(buffer);
  }
  return { bytes: Buffer.concat(chunks), truncated: false };
}
