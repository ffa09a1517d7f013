import type { InputItem } from '../schema/input-item-schema.ts';
import type { OutputItem } from '../schema/response-types.ts';

/** An output item of an earlier response, as the input item a client would have sent back. */
export function outputToInput(item: OutputItem): InputItem {
  switch (item.type) {
    case 'message':
      return {
        kind: 'message',
        type: 'message',
        id: item.id,
        role: 'assistant',
        content: item.content.map((part) => ({ type: 'output_text' as const, text: part.text })),
      };
    case 'function_call':
      return {
        kind: 'function_call',
        type: 'function_call',
        id: item.id,
        call_id: item.call_id,
        name: item.name,
        arguments: item.arguments,
      };
    case 'reasoning':
      return {
        kind: 'reasoning',
        type: 'reasoning',
        id: item.id,
        summary: item.summary,
        encrypted_content: item.encrypted_content ?? null,
      };
    case 'image_generation_call':
      return { kind: 'image_generation_call', ...item };
    case 'web_search_call':
      return { kind: 'other', type: item.type };
  }
}
