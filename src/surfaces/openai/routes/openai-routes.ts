import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import type { Dispatcher } from '../../../dispatch/dispatcher.ts';
import { loadOnFirstCall } from '../../../http/load-on-first-call.ts';
import type { ImageFetcher } from '../../../media/fetch-remote-image.ts';
import type { SignatureStore } from '../../../store/signature-store.ts';
import type { ModelResolver } from '../../../translate/model-aliases.ts';
import { listModels, type ModelParams, retrieveModel } from './list-models.ts';
import type { ModelCatalog } from './model-catalog.ts';
import { addMultipartParser } from './read-form.ts';

export type OpenAIRoutesOptions = {
  dispatcher: Dispatcher;
  /** The OpenAI model list (shared with `GET /v1/models` in routes/models.ts). */
  catalog: ModelCatalog;
  /** Fetches http(s) images of chat messages. */
  images: ImageFetcher;
  maxBodyBytes: number;
  /** Model aliases and suffixes (MODEL_ALIASES). */
  models: ModelResolver;
  /** Thought signatures by client and tool-call id. */
  signatures: SignatureStore;
};

/** `/v1/…` is the path OpenAI clients use; `/openai/v1/…` is unambiguous (always OpenAI, any credential form). */
const prefixes = ['/v1', '/openai/v1'] as const;

/**
 * The OpenAI-compatible surface: chat completions (plain and streamed), embeddings, models, images
 * (generations, edits) and audio (speech, transcriptions),
 * translated to and from the Gemini API. Errors come out as OpenAI's `{"error":{message,type,param,code}}`.
 */
export async function openaiRoutes(app: FastifyInstance, options: OpenAIRoutesOptions): Promise<void> {
  const { dispatcher, catalog, images, models, signatures } = options;
  // Each handler's module (translation, schemas) loads with its first request.
  const chat = loadOnFirstCall(() => import('./chat-completions.ts'));
  const embedding = loadOnFirstCall(() => import('./embeddings.ts'));
  const image = loadOnFirstCall(() => import('./images.ts'));
  const audio = loadOnFirstCall(() => import('./audio.ts'));

  // Bodies are JSON whatever the content type says (curl -d sends form encoding); malformed → 400.
  const parser = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  for (const type of ['application/json', '*']) {
    app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: options.maxBodyBytes }, parser);
  }
  addMultipartParser(app, options.maxBodyBytes);

  for (const prefix of prefixes) {
    app.post(`${prefix}/chat/completions`, route('Create a chat completion'), async (request, reply) =>
      (await chat()).chatCompletions(request, reply, { dispatcher, images, models, signatures }),
    );
    app.post(`${prefix}/embeddings`, route('Create embeddings'), async (request, reply) =>
      (await embedding()).embeddings(request, reply, { dispatcher, catalog }),
    );
    app.post(`${prefix}/images/generations`, route('Create images'), async (request, reply) =>
      (await image()).generateImages(request, reply, dispatcher),
    );
    app.post(`${prefix}/images/edits`, route('Edit images'), async (request, reply) =>
      (await image()).editImages(request, reply, dispatcher),
    );
    app.post(`${prefix}/audio/speech`, route('Create speech'), async (request, reply) =>
      (await audio()).createSpeech(request, reply, dispatcher),
    );
    app.post(`${prefix}/audio/transcriptions`, route('Create a transcription'), async (request, reply) =>
      (await audio()).createTranscription(request, reply, dispatcher),
    );
  }
  app.get('/openai/v1/models', route('List models'), (request, reply) => listModels(request, reply, catalog));
  app.get<ModelParams>('/openai/v1/models/:model', route('Get a model'), (request, reply) =>
    retrieveModel(request, reply, catalog),
  );
}

function route(summary: string): RouteShorthandOptions {
  return { config: { surface: 'openai' }, schema: { summary, tags: ['openai'] } };
}
