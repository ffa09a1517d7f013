import type { FunctionCallOutput, OutputItem, StreamEvent } from '../schema/response-types.ts';

type EventFactory = (type: string, fields: Record<string, unknown>) => StreamEvent;

/** An item that arrives complete (a reasoning carrier, a search, an image): added, then done. */
export function wholeItemEvents(item: OutputItem, index: number, event: EventFactory): StreamEvent[] {
  return [
    event('response.output_item.added', { output_index: index, item: structuredClone(item) }),
    event('response.output_item.done', { output_index: index, item: structuredClone(item) }),
  ];
}

/**
 * A function call, which Gemini sends whole: added with empty arguments, the arguments as one
 * delta, their done event, then the item done.
 */
export function functionCallEvents(
  item: FunctionCallOutput,
  index: number,
  event: EventFactory,
): StreamEvent[] {
  const common = { item_id: item.id, output_index: index };
  return [
    event('response.output_item.added', {
      output_index: index,
      item: { ...item, arguments: '', status: 'in_progress' },
    }),
    event('response.function_call_arguments.delta', { ...common, delta: item.arguments }),
    event('response.function_call_arguments.done', { ...common, name: item.name, arguments: item.arguments }),
    event('response.output_item.done', { output_index: index, item: structuredClone(item) }),
  ];
}
