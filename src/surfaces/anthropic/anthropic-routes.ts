import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import type { Dispatcher } from '../../dispatch/dispatcher.ts';
import { errors } from '../../errors/app-error.ts';
import { loadOnFirstCall } from '../../http/load-on-first-call.ts';
import type { ImageFetcher } from '../../media/fetch-remote-image.ts';
import type { SignatureStore } from '../../store/signature-store.ts';
import type { ModelResolver } from '../../translate/model-aliases.ts';

export type AnthropicRoutesOptions = {
  dispatcher: Dispatcher;
  maxBodyBytes: number;
  models: ModelResolver;
  signatures: SignatureStore;
  pingIntervalMs: number;
  /** Fetches http(s) images (public addresses only, unless a test says otherwise). */
  images: ImageFetcher;
};

/**
 * The Anthropic Messages surface: `POST /v1/messages` (plain and streamed) and
 * `POST /v1/messages/count_tokens`, translated directly to and from the Gemini API. The client
 * token may come as `x-api-key` (Anthropic's header) or a bearer token; `anthropic-version` and
 * `anthropic-beta` are accepted and ignored. Errors come out as `{"type":"error","error":{type,message}}`.
 */
export async function anthropicRoutes(app: FastifyInstance, options: AnthropicRoutesOptions): Promise<void> {
  const { dispatcher, images, models, signatures, pingIntervalMs } = options;
  // The translation and its schemas load with the first request.
  const messages = loadOnFirstCall(() => import('./routes/messages.ts'));
  const tokens = loadOnFirstCall(() => import('./routes/count-tokens.ts'));

  // Bodies are JSON whatever the content type says; malformed → 400 in Anthropic's format.
  const parser = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  for (const type of ['application/json', '*']) {
    app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: options.maxBodyBytes }, parser);
  }

  app.post('/v1/messages', route('Create a message'), async (request, reply) =>
    (await messages()).createMessage(request, reply, {
      dispatcher,
      images,
      models,
      signatures,
      pingIntervalMs,
    }),
  );
  app.post('/v1/messages/count_tokens', route('Count tokens in a message'), async (request, reply) =>
    (await tokens()).countTokens(request, reply, { dispatcher, images, models }),
  );
  // The rest of Anthropic's /v1/messages/… (batches) is not offered; said in Anthropic's format,
  // rather than forwarded to Gemini by the native /v1/ pass-through.
  app.all('/v1/messages/*', route('Not offered (message batches)'), async (request) => {
    throw errors.notFound(request.url.split('?')[0] ?? '/v1/messages');
  });
}

function route(summary: string): RouteShorthandOptions {
  return { config: { surface: 'anthropic' }, schema: { summary, tags: ['anthropic'] } };
}
