import type { MessageResponse, ResponseBlock, StreamEvent } from './anthropic-types.ts';
import { type MessageStreamOptions, MessageStreamTranslator } from './message-stream-translator.ts';

/**
 * A whole generateContent answer → an Anthropic message. It goes through the stream translator and
 * is folded back, so a plain answer and a streamed one can never disagree. `signatures` lists the
 * tool-call signatures for the server-side store.
 */
export function convertMessageResponse(
  response: unknown,
  options: MessageStreamOptions,
):
  | { message: MessageResponse; signatures: Array<{ id: string; signature: string }> }
  | { error: StreamEvent & { type: 'error' } } {
  const translator = new MessageStreamTranslator(options);
  const events = [...translator.push(response), ...translator.finish()];
  const failed = events.find((event) => event.type === 'error');
  if (failed?.type === 'error') return { error: failed };
  return { message: accumulateMessage(events), signatures: translator.signatures };
}

/** Folds stream events into the message they describe, as Anthropic's SDK accumulator does. */
export function accumulateMessage(events: readonly StreamEvent[]): MessageResponse {
  let message: MessageResponse | undefined;
  const json = new Map<number, string>();
  for (const event of events) {
    if (event.type === 'message_start') message = { ...event.message, content: [] };
    if (message === undefined) continue;
    if (event.type === 'content_block_start') message.content[event.index] = { ...event.content_block };
    if (event.type === 'content_block_delta') applyDelta(message.content, event, json);
    if (event.type === 'content_block_stop') {
      const block = message.content[event.index];
      const text = json.get(event.index);
      if (block?.type === 'tool_use' && text !== undefined)
        block.input = JSON.parse(text) as Record<string, unknown>;
    }
    if (event.type === 'message_delta') {
      message.stop_reason = event.delta.stop_reason;
      message.stop_sequence = event.delta.stop_sequence;
      message.usage = event.usage;
    }
  }
  if (message === undefined) throw new Error('no message_start event');
  return message;
}

function applyDelta(
  content: ResponseBlock[],
  event: StreamEvent & { type: 'content_block_delta' },
  json: Map<number, string>,
): void {
  const block = content[event.index];
  const delta = event.delta;
  if (block?.type === 'text' && delta.type === 'text_delta') block.text += delta.text;
  if (block?.type === 'thinking' && delta.type === 'thinking_delta') block.thinking += delta.thinking;
  if (block?.type === 'thinking' && delta.type === 'signature_delta') block.signature = delta.signature;
  if (block?.type === 'tool_use' && delta.type === 'input_json_delta')
    json.set(event.index, (json.get(event.index) ?? '') + delta.partial_json);
}
