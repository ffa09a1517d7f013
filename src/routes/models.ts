import type { FastifyInstance, FastifyRequest } from 'fastify';
import { readCredential } from '../auth/client-auth.ts';
import { forwardNative, type NativeDependencies } from '../surfaces/native/forward-native.ts';
import { listModels, type ModelParams, retrieveModel } from '../surfaces/openai/routes/list-models.ts';
import type { ModelCatalog } from '../surfaces/openai/routes/model-catalog.ts';

/** OpenAI clients send `Authorization: Bearer`; Gemini clients `x-goog-api-key` or `?key=`, which win. */
export function speaksOpenAI(request: FastifyRequest): boolean {
  const query = new URL(request.url, 'http://local').searchParams;
  return readCredential(request.headers, query)?.source === 'bearer';
}

/**
 * `GET /v1/models` and `GET /v1/models/{id}` belong to both APIs. The credential decides: a bearer
 * token gets the OpenAI list, anything else the native pass-through, byte for byte. Errors follow
 * the same choice: OpenAI form for bearer callers here, the app's Gemini form otherwise.
 */
export async function sharedModelRoutes(
  app: FastifyInstance,
  options: { catalog: ModelCatalog; native: NativeDependencies },
): Promise<void> {
  const { catalog, native } = options;
  const description =
    'Shared by both APIs: with Authorization: Bearer the OpenAI form, with x-goog-api-key or ?key= the Gemini answer unchanged.';
  // HEAD stays with the native pass-through.
  app.get(
    '/v1/models',
    {
      exposeHeadRoute: false,
      config: { surface: 'shared' },
      schema: { summary: 'List models', description, tags: ['openai', 'native'] },
    },
    (request, reply) =>
      speaksOpenAI(request) ? listModels(request, reply, catalog) : forwardNative(request, reply, native),
  );
  app.get<ModelParams>(
    '/v1/models/:model',
    {
      exposeHeadRoute: false,
      config: { surface: 'shared' },
      schema: { summary: 'Get a model', description, tags: ['openai', 'native'] },
    },
    (request, reply) =>
      speaksOpenAI(request) ? retrieveModel(request, reply, catalog) : forwardNative(request, reply, native),
  );
}
