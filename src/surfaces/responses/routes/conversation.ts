import { z } from 'zod';
import { type AppError, errors } from '../../../errors/app-error.ts';
import type { ResponseStore } from '../../../store/response-store.ts';
import type { InputItem } from '../schema/input-item-schema.ts';
import type { ResponsesRequest } from '../schema/request-schema.ts';
import type { OutputItem, ResponseObject } from '../schema/response-types.ts';
import type { PlacedItem } from '../translate/convert-input-items.ts';
import { outputToInput } from '../translate/output-to-input.ts';
import { parseItemId } from '../translate/response-ids.ts';

/**
 * What the store keeps of a response: the response it continued (a link, so the store grows with
 * each turn's own items, not with the whole history again), the items its request added (item
 * references already replaced), and the response itself.
 */
export interface StoredConversation {
  previous: string | null;
  input: InputItem[];
  response: ResponseObject;
}

/** Links followed back through `previous_response_id`: a conversation longer than this is refused. */
const maxChain = 1000;

const storedSchema = z.object({
  previous: z.string().nullable(),
  input: z.array(z.looseObject({ kind: z.string() })),
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
 * The conversation this request continues, in two parts: `earlier`, every turn up to the previous
 * response (`previous_response_id`, followed back link by link), and `own`, the request's items with
 * every `item_reference` replaced by the stored item it names. Only this client's stored responses
 * can be named.
 */
export async function resolveConversation(
  request: ResponsesRequest,
  store: ResponseStore,
  scope: string,
): Promise<{ earlier: PlacedItem[]; own: PlacedItem[] }> {
  const earlier: PlacedItem[] = [];
  const chain: StoredConversation[] = [];
  for (let id = request.previous_response_id ?? null; id !== null; ) {
    if (chain.length >= maxChain)
      throw errors.invalidArgument(
        `A conversation may continue at most ${maxChain} stored responses.`,
        'previous_response_id',
      );
    const stored = await loadConversation(store, scope, id);
    if (stored === undefined) {
      const message =
        chain.length === 0
          ? `Previous response with id '${id}' not found.`
          : `Response '${id}', an earlier turn of this conversation, is no longer stored.`;
      throw notFound(message, 'previous_response_id');
    }
    chain.unshift(stored);
    id = stored.previous;
  }
  for (const stored of chain) {
    const items = [...stored.input, ...stored.response.output.map(outputToInput)];
    earlier.push(...items.map((item) => ({ item, param: 'previous_response_id' })));
  }
  const own: PlacedItem[] = [];
  const cache = new Map<string, StoredConversation | undefined>();
  for (const [index, item] of request.input.entries()) {
    const param = `input[${index}]`;
    if (item.kind !== 'item_reference') own.push({ item, param });
    else own.push({ item: await resolveReference(item.id, store, scope, cache, param), param });
  }
  return { earlier, own };
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
