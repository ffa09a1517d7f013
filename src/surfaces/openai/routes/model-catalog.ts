import type { FastifyRequest } from 'fastify';
import { callGemini } from '../../../dispatch/call-gemini-json.ts';
import { handOver } from '../../../dispatch/call-record.ts';
import type { Dispatcher } from '../../../dispatch/dispatcher.ts';
import { readUpstreamError } from '../../../dispatch/read-upstream-error.ts';
import { readUpstreamJson } from '../../../dispatch/read-upstream-json.ts';
import { normalizeModel } from '../../../gemini/model-name.ts';
import { convertModel, convertModelList, type OpenAIModel } from '../translate/convert-models.ts';

export type ModelList = { object: 'list'; data: OpenAIModel[] };

/** Pages of 1000 models; the list has about 50, so this bound only stops a runaway token loop. */
const maxPages = 10;

/**
 * The OpenAI model list, built from every page of Gemini's `GET /v1beta/models` and kept for
 * `ttlMs` (the list changes rarely, clients ask often). Failures are not cached.
 */
export class ModelCatalog {
  readonly #dispatcher: Dispatcher;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #onModels: (names: readonly string[]) => void;
  #cached: { list: ModelList; expiresAt: number } | undefined;

  /** `onModels`: told Gemini's model names each time the list is fetched (the key pool learns them). */
  constructor(
    dispatcher: Dispatcher,
    options: { ttlMs?: number; now?: () => number; onModels?: (names: readonly string[]) => void } = {},
  ) {
    this.#dispatcher = dispatcher;
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#now = options.now ?? Date.now;
    this.#onModels = options.onModels ?? (() => {});
  }

  async list(request: FastifyRequest, signal: AbortSignal): Promise<ModelList> {
    const cached = this.#cached;
    if (cached !== undefined && cached.expiresAt > this.#now()) return cached.list;
    const models = new Map<string, OpenAIModel>();
    let pageToken: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const query = pageToken === undefined ? '' : `&pageToken=${encodeURIComponent(pageToken)}`;
      const answer = await this.#get(request, `/v1beta/models?pageSize=1000${query}`, signal);
      for (const model of convertModelList(answer).data) models.set(model.id, model);
      pageToken = nextPageToken(answer);
      if (pageToken === undefined) break;
    }
    const list: ModelList = { object: 'list', data: [...models.values()] };
    this.#onModels([...models.keys()]);
    this.#cached = { list, expiresAt: this.#now() + this.#ttlMs };
    return list;
  }

  async retrieve(request: FastifyRequest, id: string, signal: AbortSignal): Promise<OpenAIModel> {
    const name = normalizeModel(id);
    return convertModel(await this.#get(request, `/v1beta/models/${encodeURIComponent(name)}`, signal));
  }

  async #get(request: FastifyRequest, path: string, signal: AbortSignal): Promise<unknown> {
    const call = { method: 'GET', path, model: undefined, signal } as const;
    const result = await callGemini(this.#dispatcher, call, request.log);
    // The first page's call stands for the request in its summary.
    handOver(request, result.record);
    if (result.status >= 300) throw await readUpstreamError(result);
    return readUpstreamJson(result);
  }
}

function nextPageToken(answer: unknown): string | undefined {
  if (typeof answer !== 'object' || answer === null) return undefined;
  const token: unknown = Reflect.get(answer, 'nextPageToken');
  return typeof token === 'string' && token !== '' ? token : undefined;
}
