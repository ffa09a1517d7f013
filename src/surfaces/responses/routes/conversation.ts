import { z } from 'zod';
import { type AppError, errors } from '../../../errors/app-error.ts';
import type { ResponseStore } from '../../../store/response-store.ts';
import type { InputItem } from '../schema/input-item-schema.ts';
import type { ResponsesRequest } from '../schema/request-schema.ts';
import type { OutputItem, ResponseObject } from '../schema/response-types.ts';
import type { PlacedItem } from '../translate/convert-input-items.ts';
import { outputToInput } from '../translate/output-to-input.ts';
import { parseItemId } from '../translate/response-ids.ts';

/** What the store keeps of a response: the conversation that led to it, and the response itself. */
export interface StoredConversation {
  conversation: InputItem[];
  response: ResponseObject;
}

const storedSchema = z.object({
  conversation: z.array(z.looseObject({ kind: z.string() })),
  response: z.looseObject({ id: z.string(), output: z.array(z.looseObject({ type: z.string() })) }),
});

/** Reads a stored entry written by `saveConversation`. */
export async function loadConversation(
  store: ResponseStore,
  scope: string,
  id: string,
): Promise<StoredConversation | undefined> {
  const entry = await store.get(scope, id, Date.now());
  if (entry === undefined) return undefined;
  const parsed = storedSchema.safeParse(entry.data);
  return parsed.success ? (parsed.data as unknown as StoredConversation) : undefined;
}

export async function saveConversation(
  store: ResponseStore,
  scope: string,
  stored: StoredConversation,
): Promise<void> {
  await store.save({
    id: stored.response.id,
    scope,
    createdAt: stored.response.created_at * 1000,
    data: stored,
  });
}

/**
 * The whole conversation this request continues: the previous response's conversation and output
 * (`previous_response_id`), then the request's own items with every `item_reference` replaced by
 * the stored item it names. Only this client's stored responses can be named.
 */
export async function resolveConversation(
  request: ResponsesRequest,
  store: ResponseStore,
  scope: string,
): Promise<PlacedItem[]> {
  const placed: PlacedItem[] = [];
  const previousId = request.previous_response_id;
  if (typeof previousId === 'string') {
    const previous = await loadConversation(store, scope, previousId);
    if (previous === undefined)
      throw notFound(`Previous response with id '${previousId}' not found.`, 'previous_response_id');
    const earlier = [...previous.conversation, ...previous.response.output.map(outputToInput)];
    placed.push(...earlier.map((item) => ({ item, param: 'previous_response_id' })));
  }
  const cache = new Map<string, StoredConversation | undefined>();
  for (const [index, item] of request.input.entries()) {
    const param = `input[${index}]`;
    if (item.kind !== 'item_reference') placed.push({ item, param });
    else placed.push({ item: await resolveReference(item.id, store, scope, cache, param), param });
  }
  return placed;
}

async function resolveReference(
  id: string,
  store: ResponseStore,
  scope: string,
  cache: Map<string, StoredConversation | undefined>,
  param: string,
): Promise<InputItem> {
  const place = parseItemId(id);
  if (place !== undefined) {
    if (!cache.has(place.responseId))
      cache.set(place.responseId, await loadConversation(store, scope, place.responseId));
    const output: OutputItem | undefined = cache.get(place.responseId)?.response.output[place.index];
    if (output !== undefined && output.id === id) return outputToInput(output);
  }
  throw notFound(`Item with id '${id}' not found.`, `${param}.id`);
}

/** OpenAI answers 400 for a stored response or item a request names but it cannot find. */
function notFound(message: string, param: string): AppError {
  return errors.storedNotFound(message, 400, param);
}
