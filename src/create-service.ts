import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { AdminKeys } from './admin/admin-keys.ts';
import { AdminSessions } from './admin/admin-sessions.ts';
import { countStates } from './admin/key-table.ts';
import { RequestRecorder } from './admin/request-recorder.ts';
import { buildApp } from './app.ts';
import { TokenVerifier } from './auth/client-auth.ts';
import type { Config } from './config/config.ts';
import { Dispatcher } from './dispatch/dispatcher.ts';
import { ResourceAffinity } from './dispatch/resource-affinity.ts';
import { createLogger } from './logging/logger.ts';
import { SecretScrubber } from './logging/secret-scrubber.ts';
import { createImageFetcher, type ImageFetcher } from './media/fetch-remote-image.ts';
import { ServiceMetrics } from './metrics/service-metrics.ts';
import { classifyNetworkError, classifyUpstreamResponse } from './pool/classify-upstream-error.ts';
import { KeyPool } from './pool/key-pool.ts';
import type { RecheckLoop } from './pool/key-recheck-loop.ts';
import type { Lease } from './pool/lease.ts';
import type { Outcome } from './pool/outcome.ts';
import { describePoolEvent } from './pool/pool-events.ts';
import { openDatabase } from './store/database.ts';
import { openStores } from './store/open-stores.ts';
import type { RelayPort } from './store/relayed-key-state-store.ts';
import type { RequestRecord } from './store/request-record.ts';
import { RuntimeKeyStore } from './store/runtime-key-store.ts';
import { SqliteRequestRecordStore } from './store/sqlite-request-record-store.ts';
import { SqliteResponseStore } from './store/sqlite-response-store.ts';
import { ModelCatalog } from './surfaces/openai/routes/model-catalog.ts';
import { ModelResolver } from './translate/model-aliases.ts';
import { LiveAgents } from './upstream/live-agent.ts';
import { readBounded } from './upstream/read-bounded.ts';
import { UpstreamClient } from './upstream/upstream-client.ts';

export type Service = {
  app: FastifyInstance;
  pool: KeyPool;
  logger: FastifyInstance['log'];
  /** Stops accepting, cuts connections still open after `graceMs`, flushes state and logs. */
  close(graceMs?: number): Promise<void>;
};

/**
 * Wires the whole service from a config: the one composition root for `npm start` and the tests.
 * Every long-lived object is built here and handed to `buildApp`.
 */
export async function createService(
  config: Config,
  options: {
    console?: boolean;
    pretty?: boolean;
    images?: ImageFetcher;
    scrubLogs?: boolean;
    /** A cluster worker's channel to the primary, when `WORKERS` > 1. */
    relay?: RelayPort;
  } = {},
): Promise<Service> {
  // The test suite turns the scrubber off, to prove no code path logs a secret in the first place.
  const scrubber = new SecretScrubber({ enabled: options.scrubLogs !== false });
  scrubber.add([...config.keys, ...config.allowedTokens, ...(config.adminToken ? [config.adminToken] : [])]);
  const logger = createLogger({
    level: config.logLevel,
    file: config.logFile,
    maxBytes: config.logMaxBytes,
    maxFiles: config.logMaxFiles,
    scrubber,
    ...(options.console === undefined ? {} : { console: options.console }),
    ...(options.pretty === undefined ? {} : { pretty: options.pretty }),
  });
  const upstream = new UpstreamClient({
    baseUrl: config.baseUrl,
    connectTimeoutMs: config.connectTimeoutMs,
    firstByteTimeoutMs: config.firstByteTimeoutMs,
    idleTimeoutMs: config.idleTimeoutMs,
    maxConnections: config.upstreamMaxConnections,
    http2: config.upstreamHttp2,
    proxyUrl: config.proxyUrl,
    proxyUrls: config.proxyUrls,
  });
  const database = openDatabase(join(config.dataDir, 'gemini-balance.db'));
  const stores = await openStores({ database, redisUrl: config.redisUrl, relay: options.relay, log: logger });
  const keyStore = stores.keyState;
  const pool = new KeyPool({
    keys: config.keys,
    store: keyStore,
    quotaMinuteMs: config.quotaMinuteMs,
    quotaCount: config.quotaCount,
    // One warn line per key disabled, revived or out of its day's quota; path faults at error.
    onEvent: (event) => {
      const { level, message } = describePoolEvent(event);
      logger[level](event, message);
    },
  });
  // Changes other instances (or workers) learnt reach this pool as they happen.
  keyStore.onChange?.((change) => pool.applyShared(change));
  const affinityStore = stores.affinity;
  const affinity = new ResourceAffinity(affinityStore);
  const dispatcher = new Dispatcher({
    upstream,
    pool,
    maxRetries: config.maxRetries,
    defaultQuotaDelayMs: config.quotaDefaultCooldownMs,
    quotaMinuteMs: config.quotaMinuteMs,
    affinity,
  });
  // Tests inject a fetcher that may reach loopback; the default refuses non-public addresses.
  const images = options.images ?? createImageFetcher();
  const admin = createAdmin(config, pool, database, upstream, logger, dispatcher);
  const responses = new SqliteResponseStore(database, {
    maxCount: config.responsesStoreMaxCount,
    maxAgeMs: config.responsesStoreMaxAgeMs,
  });
  const app = await buildApp({
    ...admin.dependencies,
    config,
    logger,
    dispatcher,
    affinity,
    tokens: new TokenVerifier(config.clientTokens),
    images,
    // Names in Gemini's models list are vouched for: the pool keeps their state among the known ones.
    catalog: new ModelCatalog(dispatcher, { onModels: (names) => pool.learnModels(names) }),
    liveAgents: new LiveAgents({ proxyUrl: config.proxyUrl, proxyUrls: config.proxyUrls }),
    models: new ModelResolver(config.modelAliases),
    signatures: stores.signatures,
    responses,
  });
  const rechecks: RecheckLoop = pool.startRechecks({
    intervalMs: config.recheckIntervalMs,
    concurrency: config.recheckConcurrency,
    check: (lease, signal) => checkKey(upstream, lease, signal),
    onError: (error, lease) =>
      logger.warn({ err: error, keyFingerprint: lease.fingerprint }, 'key re-check failed'),
    onRoundError: (error) =>
      logger.warn({ err: error }, 'key re-check round failed; the next one comes as usual'),
  });

  // Affinity entries expire; sweep them hourly so the table stays the size of what is alive.
  const prune = setInterval(() => {
    affinityStore
      .prune(Date.now())
      .catch((error: unknown) => logger.warn({ err: error }, 'affinity prune failed'));
    responses
      .prune(Date.now())
      .catch((error: unknown) => logger.warn({ err: error }, 'stored responses prune failed'));
  }, 3600_000);
  prune.unref();

  return {
    app,
    pool,
    logger: app.log,
    async close(graceMs = 10_000) {
      const cut = setTimeout(() => app.server.closeAllConnections(), graceMs);
      cut.unref();
      await app.close();
      clearTimeout(cut);
      clearInterval(prune);
      await rechecks.stop();
      await admin.close();
      if (options.images === undefined) await images.close();
      await upstream.close();
      keyStore.close();
      await stores.close();
      database.close();
      logger.flushFile();
    },
  };
}

/**
 * The operator's side: request records (batched into SQLite), metrics, runtime-added keys (sealed
 * with ENCRYPTION_KEY) and the admin sessions, all fed by the one record per answered request.
 */
function createAdmin(
  config: Config,
  pool: KeyPool,
  database: DatabaseSync,
  upstream: UpstreamClient,
  logger: FastifyBaseLogger,
  dispatcher: Dispatcher,
) {
  const runtime = new RuntimeKeyStore(database, config.encryptionKey);
  const keys = new AdminKeys({
    pool,
    runtime,
    configured: config.keys,
    check: (lease, signal) => checkKey(upstream, lease, signal),
    concurrency: config.recheckConcurrency,
  });
  const unreadable = keys.restore();
  if (unreadable.length > 0)
    logger.warn(
      { keys: unreadable },
      'keys added at runtime could not be decrypted (another ENCRYPTION_KEY?)',
    );
  const records = config.recordsEnabled ? new SqliteRequestRecordStore(database) : undefined;
  const recorder =
    records === undefined
      ? undefined
      : new RequestRecorder({
          store: records,
          retention: { days: config.recordsRetentionDays, rows: config.recordsMaxRows },
          onError: (error) => logger.warn({ err: error }, 'writing request records failed'),
        });
  const metrics = config.metricsEnabled ? new ServiceMetrics(() => countStates(pool.list())) : undefined;
  const onRecord = (record: RequestRecord) => {
    recorder?.add(record);
    metrics?.observe(record);
  };
  return {
    dependencies: {
      ...(recorder === undefined && metrics === undefined ? {} : { onRecord }),
      ...(metrics === undefined ? {} : { metrics }),
      admin: {
        config,
        pool,
        keys,
        runtime,
        records,
        sessions: new AdminSessions({ adminToken: config.adminToken, sessionMs: config.adminSessionMs }),
        flushRecords: () => recorder?.flush(),
        learntLimits: () => dispatcher.learntLimits(),
      },
    },
    /** After the app closed (every answered request recorded) and before the database closes. */
    async close() {
      await keys.tasks.settle();
      recorder?.close();
    },
  };
}

/** The cheapest authenticated call: list one model. */
async function checkKey(upstream: UpstreamClient, lease: Lease, signal: AbortSignal): Promise<Outcome> {
  try {
    const response = await upstream.request({
      method: 'GET',
      path: '/v1beta/models?pageSize=1',
      headers: { 'x-goog-api-key': lease.secret },
      signal,
      keyId: lease.id,
    });
    const { bytes } = await readBounded(response.body, 64 * 1024);
    return classifyUpstreamResponse(response.status, bytes.toString('utf8'), new Date());
  } catch (error) {
    return classifyNetworkError(error);
  }
}
