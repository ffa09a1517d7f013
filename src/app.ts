import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import type { AdminContext } from './admin/admin-context.ts';
import { adminRoutes } from './admin/admin-routes.ts';
import { homePage } from './admin/home-page.ts';
import { liveRequestRecord, toRequestRecord } from './admin/to-request-record.ts';
import { readCredential, type TokenVerifier } from './auth/client-auth.ts';
import { clientErrorHandler } from './auth/client-error-handler.ts';
import { isLoopbackRequest } from './auth/loopback-guard.ts';
import { toOriginForm } from './auth/origin-form.ts';
import { hasWellFormedQuery } from './auth/well-formed-query.ts';
import type { Config } from './config/config.ts';
import { type CallRecord, handOver, recordOfError } from './dispatch/call-record.ts';
import type { Dispatcher } from './dispatch/dispatcher.ts';
import { summarizeRequest } from './dispatch/request-summary.ts';
import { type ResourceAffinity, uploadSessionOf } from './dispatch/resource-affinity.ts';
import { toAnthropicErrorBody } from './errors/anthropic-error-body.ts';
import { type AppError, errors } from './errors/app-error.ts';
import { toAppError } from './errors/to-app-error.ts';
import { toGeminiErrorBody, toOpenAIErrorBody } from './errors/wire-formats.ts';
import { hasDotSegment } from './http/has-dot-segment.ts';
import { queryOf } from './http/query-of.ts';
import { nextRequestId } from './http/request-id.ts';
import { isParsedJson } from './json/is-plain-json.ts';
import { measureJson } from './json/measure-json.ts';
import { preparedLinesOf } from './logging/prepared-line.ts';
import { requestLoggerFactory } from './logging/request-logger.ts';
import { logRequestSummary } from './logging/summary-line.ts';
import type { ImageFetcher } from './media/fetch-remote-image.ts';
import { metricsRoute } from './metrics/metrics-route.ts';
import type { ServiceMetrics } from './metrics/service-metrics.ts';
import { sharedModelRoutes, speaksOpenAI } from './routes/models.ts';
import { serviceRoutes } from './routes/service-routes.ts';
import type { RequestRecord } from './store/request-record.ts';
import type { ResponseStore } from './store/response-store.ts';
import type { SignatureStore } from './store/signature-store.ts';
import { anthropicRoutes } from './surfaces/anthropic/anthropic-routes.ts';
import { createLiveProxy } from './surfaces/native/live-proxy.ts';
import { nativeRoutes } from './surfaces/native/native-routes.ts';
import type { ModelCatalog } from './surfaces/openai/routes/model-catalog.ts';
import { openaiRoutes } from './surfaces/openai/routes/openai-routes.ts';
import { responsesRoutes } from './surfaces/responses/routes/responses-routes.ts';
import type { ModelResolver } from './translate/model-aliases.ts';
import type { LiveAgents } from './upstream/live-agent.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Which API's error format a route answers in; native by default. */
    surface?: 'native' | 'openai' | 'responses' | 'anthropic' | 'shared';
    /** Open routes (health, docs) need no client token. */
    public?: boolean;
  }
  interface FastifyRequest {
    /** The record of the call the route made (`handOver`), for the summary line and the request record. */
    callRecord: CallRecord | null;
    /** The client token's name, when the request was authenticated by one. */
    clientName: string | null;
    /** Our own error, when the answer is one. */
    failure: { code: string; message: string } | null;
  }
}

/** Everything long-lived the app uses, built by `createService` (tests may hand in fakes). */
export type AppDependencies = {
  config: Config;
  logger: FastifyBaseLogger;
  dispatcher: Dispatcher;
  affinity: ResourceAffinity;
  tokens: TokenVerifier;
  /** Fetches remote chat images (public addresses only, unless a test says otherwise). */
  images: ImageFetcher;
  /** The OpenAI model list, cached. */
  catalog: ModelCatalog;
  /** Outbound proxy agents for Live sessions. */
  liveAgents: LiveAgents;
  /** Model aliases and suffixes (MODEL_ALIASES), for every surface. */
  models: ModelResolver;
  /** Thought signatures by client and tool-call id, restored when a client drops one. */
  signatures: SignatureStore;
  /** Receives one record per answered API request (request log, metrics), from the same hand-off as the summary line. */
  onRecord?: (record: RequestRecord) => void;
  /** The admin API and dashboard under /admin. */
  admin?: AdminContext;
  metrics?: ServiceMetrics;
  /** Stored Responses API answers (previous_response_id, item references, GET/DELETE). */
  responses: ResponseStore;
};

/**
 * The Fastify app: hooks, error handler, surfaces and routes, without listening, so tests can drive
 * it in-process or on a port. It constructs nothing long-lived: `createService` does.
 */
export async function buildApp(dependencies: AppDependencies): Promise<FastifyInstance> {
  const { config, dispatcher, affinity, tokens, onRecord } = dependencies;
  const app = Fastify({
    loggerInstance: dependencies.logger,
    // One summary line per request (onResponse below) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // Per-request loggers that cost nothing until they write (see logging/request-logger.ts).
    childLoggerFactory: requestLoggerFactory,
    requestIdHeader: 'x-request-id',
    genReqId: nextRequestId,
    trustProxy: config.trustProxy,
    bodyLimit: config.maxBodyBytes,
    ...connectionLimits(config.server),
    clientErrorHandler: clientErrorHandler(dependencies.logger),
    routerOptions: { ignoreDuplicateSlashes: true },
    // Absolute-form request lines are routed and forwarded as origin-form (path and query only).
    rewriteUrl: (request) => toOriginForm(request.url ?? '/'),
    // A malformed URL or content type is answered in our format too, not Fastify's.
    frameworkErrors: (error, _request, reply) => {
      const status = error.statusCode ?? 400;
      // Fastify's message quotes the URL, and with it a ?key= token: say it in our own words.
      const appError = errors.malformedRequest(status);
      const plain = reply as unknown as FastifyReply;
      void plain.code(status).type('application/json; charset=utf-8').send(toGeminiErrorBody(appError));
    },
  });

  app.server.maxConnections = config.server.maxConnections;
  // Per-request fields declared up front: every request keeps one shape (no WeakMap entries).
  app.decorateRequest('callRecord', null);
  app.decorateRequest('clientName', null);
  app.decorateRequest('failure', null);
  // Callback hooks, not async ones: no promise per request where nothing waits.
  const authenticate = (request: FastifyRequest): AppError | undefined => {
    const client = tokens.identify(readCredential(request.headers, queryOf(request.url))?.value);
    if (tokens.enabled && client === undefined) return errors.unauthenticated();
    if (client !== undefined) request.clientName = client;
    return undefined;
  };
  app.addHook('onRequest', (request, _reply, done) => {
    if (config.loopbackOnly && !isLoopbackRequest(request.headers)) return done(errors.foreignOrigin());
    if (!hasWellFormedQuery(request.url)) return done(errors.malformedUrl());
    if (request.routeOptions.config.public === true) return done();
    // A resumable upload URL we handed out is itself the capability, as at Google: for that upload
    // only (its own path, continuing it; starting a new one needs a token).
    const upload = continuesUpload(request) ? uploadSessionOf(request.url) : undefined;
    if (upload === undefined) return done(authenticate(request));
    affinity.uploadOwner(upload).then(
      (owner) => done(owner === undefined ? authenticate(request) : undefined),
      (error: Error) => done(error),
    );
  });
  // Translating surfaces walk parsed bodies recursively: a deep one is refused before any of them.
  app.addHook('preValidation', (request, _reply, done) => {
    if (!isParsedJson(request.body)) return done();
    if (measureJson(request.body, maximumBodyNesting).depth > maximumBodyNesting)
      return done(errors.tooDeeplyNested(maximumBodyNesting));
    done();
  });
  // One summary line per request, from the call record its route handed over (see request-summary.ts),
  // and its record; nothing is gathered when neither the line is written nor records are kept.
  const summaries = (dependencies.logger as Logger).isLevelEnabled('info');
  const lines = preparedLinesOf(dependencies.logger);
  app.addHook('onResponse', (request, reply, done) => {
    const recorded = onRecord !== undefined && request.routeOptions.config.public !== true;
    if (!summaries && !recorded) return done();
    const summary = summarizeRequest(request, reply);
    if (summaries) logRequestSummary(lines, request.log, request.id, summary);
    if (recorded) {
      const startedAt = Date.now() - reply.elapsedTime;
      onRecord(
        toRequestRecord(summary, {
          startedAt,
          client: request.clientName ?? undefined,
          error: request.failure ?? undefined,
        }),
      );
    }
    done();
  });
  app.setErrorHandler((error, request, reply) => {
    // A failed dispatch carries its record (keys tried, outcomes): the summary line shows them.
    const record = recordOfError(error);
    if (record !== undefined) handOver(request, record);
    const appError = toAppError(error);
    request.failure = { code: appError.code, message: appError.message };
    // Refused before its body was read (401, 413…): close, so a client trickling bytes holds nothing.
    if (!request.raw.complete) reply.header('connection', 'close');
    if (appError.status >= 500) request.log.warn({ err: error, code: appError.code }, appError.message);
    if (appError.retryAfterSeconds !== undefined)
      reply.header('retry-after', String(appError.retryAfterSeconds));
    const surface = request.routeOptions.config.surface;
    // Shared paths (/v1/models) answer in the format of the API the client speaks.
    const openai =
      surface === 'openai' || surface === 'responses' || (surface === 'shared' && speaksOpenAI(request));
    const body =
      surface === 'anthropic'
        ? toAnthropicErrorBody(appError)
        : openai
          ? toOpenAIErrorBody(appError)
          : toGeminiErrorBody(appError);
    return reply.code(appError.status).type('application/json; charset=utf-8').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const error = errors.notFound(request.url.split('?')[0] ?? '/');
    const openai = request.url.startsWith('/openai/');
    if (!request.raw.complete) reply.header('connection', 'close');
    return reply
      .code(404)
      .type('application/json; charset=utf-8')
      .send(openai ? toOpenAIErrorBody(error) : toGeminiErrorBody(error));
  });

  // Not a plugin of its own: the docs must see every route of the app.
  await serviceRoutes(app);
  await app.register(homePage);
  if (dependencies.admin !== undefined) await app.register(adminRoutes, dependencies.admin);
  const { metrics, admin } = dependencies;
  if (metrics !== undefined) {
    await app.register(metricsRoute, {
      metrics,
      open: config.metricsPublic,
      isAdminToken: (token) => admin?.sessions.isAdminToken(token) ?? false,
    });
  }
  const native = {
    dispatcher,
    affinity,
    maxBodyBytes: config.maxBodyBytes,
    maxUploadBytes: config.maxUploadBytes,
    publicUrl: config.publicUrl,
    models: dependencies.models,
  };
  await app.register(nativeRoutes, native);
  await app.register(openaiRoutes, {
    dispatcher,
    catalog: dependencies.catalog,
    images: dependencies.images,
    maxBodyBytes: config.maxBodyBytes,
    models: dependencies.models,
    signatures: dependencies.signatures,
  });
  await app.register(anthropicRoutes, {
    dispatcher,
    images: dependencies.images,
    maxBodyBytes: config.maxBodyBytes,
    models: dependencies.models,
    signatures: dependencies.signatures,
    pingIntervalMs: config.anthropicPingIntervalMs,
  });
  // Where the two surfaces meet: GET /v1/models answers in the API the credential speaks.
  await app.register(sharedModelRoutes, { catalog: dependencies.catalog, native });
  await app.register(responsesRoutes, {
    dispatcher,
    store: dependencies.responses,
    maxBodyBytes: config.maxBodyBytes,
    images: dependencies.images,
    models: dependencies.models,
    signatures: dependencies.signatures,
  });

  const live = createLiveProxy({
    baseUrl: config.baseUrl,
    dispatcher,
    tokens,
    loopbackOnly: config.loopbackOnly,
    agents: dependencies.liveAgents,
    logger: dependencies.logger,
    onSessionEnd: onRecord === undefined ? undefined : (end) => onRecord(liveRequestRecord(end)),
    handshakeTimeoutMs: config.connectTimeoutMs,
  });
  app.server.on('upgrade', live);
  return app;
}

function continuesUpload(request: FastifyRequest): boolean {
  if (request.method !== 'POST' && request.method !== 'PUT') return false;
  if (!request.url.startsWith('/upload/')) return false;
  if (hasDotSegment(request.url)) return false;
  return !String(request.headers['x-goog-upload-command'] ?? '').includes('start');
}

/** Far deeper than any real request (a tool schema nests two levels per property level). */
const maximumBodyNesting = 128;

/** Node's server timeouts for every phase of a client connection (Fastify passes them on). */
function connectionLimits(server: Config['server']) {
  return {
    requestTimeout: server.requestTimeoutMs,
    keepAliveTimeout: server.keepAliveTimeoutMs,
    maxRequestsPerSocket: server.maxRequestsPerSocket,
    http: {
      headersTimeout: server.headersTimeoutMs,
      // How often Node looks for connections past those timeouts (its default is 30 s).
      connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(server.headersTimeoutMs / 4))),
    },
  };
}
