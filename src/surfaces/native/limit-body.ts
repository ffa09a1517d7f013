import { Transform } from 'node:stream';
import { errors } from '../../errors/app-error.ts';

/**
 * Counts bytes as the request body streams through and fails the stream past `limit`, so a
 * chunked upload without Content-Length cannot slip past the size limit, and nothing is buffered.
 */
export function limitBody(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > limit) callback(errors.payloadTooLarge(limit));
      else callback(null, chunk);
    },
  });
}
