import type { ChatCompletionChunk, OpenAIErrorObject } from '../schema/openai-types.ts';

/** One chunk as an SSE event, the way api.openai.com frames it. */
export function toStreamEvent(chunk: ChatCompletionChunk): string {
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

/** The terminator OpenAI clients wait for after the last chunk. */
export const streamDoneEvent = 'data: [DONE]\n\n';

/** An error after the stream began: the OpenAI SDKs raise an APIError when a data event holds `error`. */
export function toStreamErrorEvent(error: OpenAIErrorObject): string {
  return `data: ${JSON.stringify({ error })}\n\n`;
}
