import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  LogController,
} from 'fastify';
import { readCredential, TokenVerifier } from './auth/client-auth.ts';
import { isLoopbackRequest } from './auth/loopback-guard.ts';
import type { Config } from './config/config.ts';
import { handOver, recordOfError } from './dispatch/call-record.ts';
import { Dispatcher } from './dispatch/dispatcher.ts';
import { summarizeRequest } from './dispatch/request-summary.ts';
import { ResourceAffinity } from './dispatch/resource-affinity.ts';
import { AppError, errors } from './errors/app-error.ts';
import { toGeminiErrorBody, toOpenAIErrorBody } from './errors/wire-formats.ts';
import type { ImageFetcher } from './media/fetch-remote-image.ts';
import type { KeyPool } from './pool/key-pool.ts';
import { speaksOpenAI } from './routes/models.ts';
import type { AffinityStore } from './store/affinity-store.ts';
import { hasDotSegment } from './surfaces/native/forward-native.ts';
import { createLiveProxy } from './surfaces/native/live-proxy.ts';
import { nativeRoutes } from './surfaces/native/native-routes.ts';
import { openaiRoutes } from './surfaces/openai/routes/openai-routes.ts';
import { LiveAgents } from './upstream/live-agent.ts';
import type { UpstreamClient } from './upstream/upstream-client.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Which API's error format a route answers in; native by default. */
    surface?: 'native' | 'openai' | 'shared';
    /** Open routes (health, docs) need no client token. */
    public?: boolean;
  }
}

export type AppDependencies = {
  config: Config;
  logger: FastifyBaseLogger;
  upstream: UpstreamClient;
  pool: KeyPool;
  affinity: AffinityStore;
  /** Fetches remote chat images; tests inject one that may reach loopback. */
  images?: ImageFetcher;
};

/** Builds the whole service without listening, so tests can drive it in-process or on a port. */
export async function buildApp(dependencies: AppDependencies): Promise<FastifyInstance> {
  const { config } = dependencies;
  const app = Fastify({
    loggerInstance: dependencies.logger,
    // One summary line per request (onResponse below) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    trustProxy: config.trustProxy,
    bodyLimit: config.maxBodyBytes,
    routerOptions: { ignoreDuplicateSlashes: true },
    // A malformed URL or content type is answered in our format too, not Fastify's.
    frameworkErrors: (error, _request, reply) => {
      const status = error.statusCode ?? 400;
      // Fastify's message quotes the URL, and with it a ?key= token: say it in our own words.
      const appError = errors.malformedRequest(status);
      const plain = reply as unknown as FastifyReply;
      void plain.code(status).type('application/json; charset=utf-8').send(toGeminiErrorBody(appError));
    },
  });
  const tokens = new TokenVerifier(config.allowedTokens);
  const affinity = new ResourceAffinity(dependencies.affinity);
  const dispatcher = new Dispatcher({
    upstream: dependencies.upstream,
    pool: dependencies.pool,
    maxRetries: config.maxRetries,
    defaultQuotaDelayMs: config.quotaDefaultCooldownMs,
    quotaMinuteMs: config.quotaMinuteMs,
    affinity,
  });

  app.addHook('onRequest', async (request) => {
    if (config.loopbackOnly && !isLoopbackRequest(request.headers)) throw errors.foreignOrigin();
    if (request.routeOptions.config.public === true) return;
    const query = new URL(request.url, 'http://local').searchParams;
    // A resumable upload URL we handed out is itself the capability, as it is at Google.
    // A resumable upload URL we handed out is itself the capability, as at Google: for that upload only.
    if (
      request.url.startsWith('/upload/') &&
      !hasDotSegment(request.url) &&
      (await affinity.uploadOwner(query.get('upload_id'))) !== undefined
    )
      return;
    if (!tokens.verify(readCredential(request.headers, query)?.value)) throw errors.unauthenticated();
  });
  // One summary line per request, from the call record its route handed over (see request-summary.ts).
  app.addHook('onResponse', async (request, reply) => {
    const { attempts, ...summary } = summarizeRequest(request, reply);
    request.log.info(
      {
        ...summary,
        attempts: attempts.length === 0 ? undefined : attempts.length,
        outcomes:
          attempts.length === 0
            ? undefined
            : attempts.map((attempt) => `${attempt.keyFingerprint}:${attempt.outcome}`),
      },
      'request completed',
    );
  });
  app.setErrorHandler((error, request, reply) => {
    // A failed dispatch carries its record (keys tried, outcomes): the summary line shows them.
    const record = recordOfError(error);
    if (record !== undefined) handOver(request, record);
    const appError = toAppError(error);
    if (appError.status >= 500) request.log.warn({ err: error, code: appError.code }, appError.message);
    if (appError.retryAfterSeconds !== undefined)
      reply.header('retry-after', String(appError.retryAfterSeconds));
    const surface = request.routeOptions.config.surface;
    // Shared paths (/v1/models) answer in the format of the API the client speaks.
    const openai = surface === 'openai' || (surface === 'shared' && speaksOpenAI(request));
    return reply
      .code(appError.status)
      .type('application/json; charset=utf-8')
      .send(openai ? toOpenAIErrorBody(appError) : toGeminiErrorBody(appError));
  });
  app.setNotFoundHandler((request, reply) => {
    const error = errors.notFound(request.url.split('?')[0] ?? '/');
    const openai = request.url.startsWith('/openai/');
    return reply
      .code(404)
      .type('application/json; charset=utf-8')
      .send(openai ? toOpenAIErrorBody(error) : toGeminiErrorBody(error));
  });

  await registerDocs(app);
  app.get(
    '/health',
    {
      config: { public: true },
      schema: { summary: 'Liveness', tags: ['service'], response: { 200: healthSchema } },
    },
    async () => ({ status: 'ok' }),
  );
  const native = {
    dispatcher,
    affinity,
    maxBodyBytes: config.maxBodyBytes,
    maxUploadBytes: config.maxUploadBytes,
    publicUrl: config.publicUrl,
  };
  await app.register(nativeRoutes, native);
  await app.register(openaiRoutes, {
    dispatcher,
    native,
    maxBodyBytes: config.maxBodyBytes,
    images: dependencies.images,
  });

  const live = createLiveProxy({
    baseUrl: config.baseUrl,
    dispatcher,
    tokens,
    loopbackOnly: config.loopbackOnly,
    agents: new LiveAgents({ proxyUrl: config.proxyUrl, proxyUrls: config.proxyUrls }),
    logger: dependencies.logger,
  });
  app.server.on('upgrade', live);
  return app;
}

const healthSchema = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['ok'] } },
  required: ['status'],
} as const;

async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Gemini Balance',
        description:
          'Many Gemini API keys behind one endpoint. Authenticate with a client token as x-goog-api-key, ?key= or Authorization: Bearer.',
        version: '0.1.0',
      },
      components: {
        securitySchemes: {
          googApiKey: { type: 'apiKey', in: 'header', name: 'x-goog-api-key' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ googApiKey: [] }, { bearer: [] }],
    },
  });
  // The docs pages are readable without a token: they describe, they do not forward.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...route.config, public: true };
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}

function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  // The client went away; nobody reads the answer, and nothing is wrong with us or the key.
  if (error instanceof Error && error.name === 'AbortError') return errors.cancelled();
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message = error instanceof Error ? error.message : 'Bad request.';
    return errors.badRequest(status, message);
  }
  return errors.internal();
}
