import { errors } from '../errors/app-error.ts';
import { readBounded } from '../upstream/read-bounded.ts';
import type { DispatchResult } from './dispatcher.ts';

/** A generated image can make an answer large; past this the answer is refused rather than buffered. */
export const maxUpstreamAnswerBytes = 128 * 1024 * 1024;

/** A successful Gemini answer, read whole and parsed; unreadable JSON is a 502. */
export async function readUpstreamJson(result: DispatchResult): Promise<unknown> {
  const { bytes, truncated } = await readBounded(result.body, maxUpstreamAnswerBytes);
  if (truncated) {
    throw errors.upstreamTooLarge();
  }
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw errors.upstreamUnreadable('a response', error);
  }
}
