import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import { credentialOwner } from '../../../auth/credential-owner.ts';
import type { Dispatcher } from '../../../dispatch/dispatcher.ts';
import { errors } from '../../../errors/app-error.ts';
import { loadOnFirstCall } from '../../../http/load-on-first-call.ts';
import type { ImageFetcher } from '../../../media/fetch-remote-image.ts';
import type { ResponseStore } from '../../../store/response-store.ts';
import type { SignatureStore } from '../../../store/signature-store.ts';
import type { ModelResolver } from '../../../translate/model-aliases.ts';

export type ResponsesRoutesOptions = {
  dispatcher: Dispatcher;
  store: ResponseStore;
  maxBodyBytes: number;
  /** Fetches http(s) input images (public addresses only, unless a test says otherwise). */
  images: ImageFetcher;
  /** Model aliases and suffixes (MODEL_ALIASES), shared by every surface. */
  models: ModelResolver;
  /** Thought signatures by client and call id, for clients that drop reasoning items. */
  signatures: SignatureStore;
};

/** `/v1/…` is the path OpenAI clients use; `/openai/v1/…` is unambiguous. */
const prefixes = ['/v1', '/openai/v1'] as const;

type WithId = { Params: { id: string } };

// The translation, the stored conversations and their schemas load with the first request.
const creation = loadOnFirstCall(() => import('./create-response.ts'));
const conversations = loadOnFirstCall(() => import('./conversation.ts'));

async function loadConversation(store: ResponseStore, owner: string, id: string) {
  return (await conversations()).loadConversation(store, owner, id);
}

/**
 * The OpenAI Responses API (`POST /v1/responses`, plain and streamed; `GET`/`DELETE
 * /v1/responses/{id}`; `POST /v1/responses/{id}/cancel`), translated to and from the Gemini API.
 * Errors come out in OpenAI's format.
 */
export async function responsesRoutes(app: FastifyInstance, options: ResponsesRoutesOptions): Promise<void> {
  const { dispatcher, store, images, models, signatures } = options;
  const dependencies = { dispatcher, store, images, models, signatures };

  // Bodies are JSON whatever the content type says; malformed → 400.
  const parser = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  for (const type of ['application/json', '*'])
    app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: options.maxBodyBytes }, parser);

  for (const prefix of prefixes) {
    app.post(`${prefix}/responses`, route('Create a model response'), async (request, reply) =>
      (await creation()).createResponse(request, reply, dependencies),
    );
    app.get<WithId>(`${prefix}/responses/:id`, route('Get a stored response'), async (request) => {
      const stored = await loadConversation(options.store, credentialOwner(request), request.params.id);
      if (stored === undefined) throw notFound(request.params.id);
      return stored.response;
    });
    app.delete<WithId>(`${prefix}/responses/:id`, route('Delete a stored response'), async (request) => {
      const deleted = await options.store.delete(credentialOwner(request), request.params.id);
      if (!deleted) throw notFound(request.params.id);
      return { id: request.params.id, object: 'response', deleted: true };
    });
    app.post<WithId>(`${prefix}/responses/:id/cancel`, route('Cancel a response'), cancel(options.store));
  }
}

/** Only background responses can be cancelled, and this service answers every request in the foreground. */
function cancel(store: ResponseStore) {
  return async (request: FastifyRequest<WithId>, _reply: FastifyReply) => {
    const stored = await loadConversation(store, credentialOwner(request), request.params.id);
    if (stored === undefined) throw notFound(request.params.id);
    throw errors.invalidArgument('Only responses created with background=true can be cancelled.');
  };
}

function notFound(id: string) {
  return errors.storedNotFound(`Response with id '${id}' not found.`, 404);
}

function route(summary: string): RouteShorthandOptions {
  // Its own surface name in the summary line and request records; errors in OpenAI's format.
  return { config: { surface: 'responses' }, schema: { summary, tags: ['responses'] } };
}
