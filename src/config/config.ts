import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { isLoopbackHost } from '../auth/is-loopback-host.ts';
import { httpUrl, integer, list, parseList, proxyUrl } from './config-fields.ts';

const schema = z.object({
  PORT: integer(8000, 0).pipe(z.number().max(65535, 'expected a port number 0-65535')),
  HOST: z.string().optional(),
  GEMINI_API_KEYS: list,
  GOOGLE_API_KEY: z.string().optional(),
  GEMINI_API_KEYS_FILE: z
    .string()
    .optional()
    .transform((path, context) => {
      if (path === undefined) return [];
      try {
        // One key per line; blank lines and `#` comments are skipped.
        return parseList(readFileSync(path, 'utf8').replace(/^\s*#.*$/gm, ''));
      } catch {
        context.addIssue({
          code: 'custom',
          message: `cannot read the file ${path} (expected one key per line)`,
        });
        return z.NEVER;
      }
    }),
  GEMINI_BASE_URL: httpUrl.default('https://generativelanguage.googleapis.com'),
  ALLOWED_TOKENS: list,
  ADMIN_TOKEN: z.string().optional(),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'expected one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  LOG_FILE: z.string().default('logs/app.log'),
  LOG_MAX_BYTES: integer(10 * 1024 * 1024, 1024),
  LOG_MAX_FILES: integer(5, 1),
  DATA_DIR: z.string().default('data'),
  MAX_BODY_BYTES: integer(32 * 1024 * 1024, 1),
  MAX_UPLOAD_BYTES: integer(2 * 1024 * 1024 * 1024, 1),
  UPSTREAM_CONNECT_TIMEOUT_MS: integer(10_000, 1),
  UPSTREAM_FIRST_BYTE_TIMEOUT_MS: integer(300_000, 1),
  UPSTREAM_IDLE_TIMEOUT_MS: integer(120_000, 1),
  HEADERS_TIMEOUT_MS: integer(20_000, 1),
  REQUEST_TIMEOUT_MS: integer(300_000, 1),
  KEEP_ALIVE_TIMEOUT_MS: integer(65_000, 1),
  MAX_CONNECTIONS: integer(4096, 1),
  MAX_REQUESTS_PER_SOCKET: integer(0, 0),
  UPSTREAM_MAX_CONNECTIONS: integer(4096, 1),
  UPSTREAM_HTTP2: z.enum(['auto', 'on', 'off'], { error: 'expected auto, on or off' }).default('auto'),
  PROXY_URL: proxyUrl,
  PROXY_URLS: list.pipe(
    z.array(
      z.url({
        protocol: /^(https?|socks5)$/,
        error: 'expected http(s):// or socks5:// URLs, comma-separated',
      }),
    ),
  ),
  MAX_RETRIES: integer(3, 0),
  KEY_RECHECK_INTERVAL_MS: integer(300_000, 1000),
  KEY_RECHECK_CONCURRENCY: integer(4, 1),
  QUOTA_DEFAULT_COOLDOWN_MS: integer(60_000, 1),
  QUOTA_MINUTE_MS: integer(60_000, 100),
  QUOTA_COUNT: z.enum(['shapes', 'sliding'], { error: 'expected shapes or sliding' }).default('shapes'),
  PUBLIC_URL: httpUrl.optional(),
  TRUST_PROXY: z.stringbool({ error: 'expected true or false' }).default(false),
  MODEL_ALIASES: list.pipe(
    z.array(
      z.string().regex(/^[^=]*[^=\s][^=]*=\s*[^=*?\s][^=*?]*$/, {
        error: 'expected pattern=model pairs, comma-separated (e.g. claude-sonnet-*=gemini-2.5-pro)',
      }),
    ),
  ),
  ANTHROPIC_PING_INTERVAL_MS: integer(5000, 10),
  ENCRYPTION_KEY: z.string().min(16, 'expected at least 16 characters').optional(),
  RECORDS_ENABLED: z.stringbool({ error: 'expected true or false' }).default(true),
  RECORDS_RETENTION_DAYS: integer(30, 1),
  RECORDS_MAX_ROWS: integer(1_000_000, 1),
  ADMIN_SESSION_HOURS: integer(12, 1),
  METRICS_ENABLED: z.stringbool({ error: 'expected true or false' }).default(true),
  METRICS_PUBLIC: z.stringbool({ error: 'expected true or false' }).default(false),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'expected a redis:// or rediss:// URL' }).optional(),
  // `auto`: one worker per core.
  WORKERS: z
    .string()
    .optional()
    .transform((value) => (value === 'auto' ? String(availableParallelism()) : value))
    .pipe(integer(1, 1)),
  RESPONSES_STORE_MAX_COUNT: integer(10_000, 0),
  RESPONSES_STORE_MAX_AGE_MS: integer(30 * 24 * 3600_000, 1000),
});

export type ClientToken = Readonly<{ name: string; token: string }>;

/** `name:token` names a client token; a plain token is named by its fingerprint. */
export function parseClientToken(entry: string): ClientToken {
  const match = /^([A-Za-z][\w.-]{0,63}):(\S+)$/.exec(entry);
  if (match?.[1] !== undefined && match[2] !== undefined) return { name: match[1], token: match[2] };
  return { name: `token_${createHash('sha256').update(entry).digest('hex').slice(0, 12)}`, token: entry };
}

export type Config = Readonly<{
  port: number;
  host: string;
  keys: readonly string[];
  baseUrl: string;
  /** The token values clients send (names stripped). */
  allowedTokens: readonly string[];
  clientTokens: readonly ClientToken[];
  adminToken: string | undefined;
  logLevel: string;
  logFile: string;
  logMaxBytes: number;
  logMaxFiles: number;
  dataDir: string;
  maxBodyBytes: number;
  maxUploadBytes: number;
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
  /** Limits on client connections (every phase bounded, so idle or slow clients cannot pile up). */
  server: Readonly<{
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    keepAliveTimeoutMs: number;
    maxConnections: number;
    /** 0: unlimited. */
    maxRequestsPerSocket: number;
  }>;
  /** The only bound on concurrent upstream calls (× streams over HTTP/2: auto = https origins, on = h2c too). */
  upstreamMaxConnections: number;
  upstreamHttp2: 'auto' | 'on' | 'off';
  proxyUrl: string | undefined;
  proxyUrls: readonly string[];
  maxRetries: number;
  recheckIntervalMs: number;
  recheckConcurrency: number;
  quotaDefaultCooldownMs: number;
  quotaMinuteMs: number;
  quotaCount: 'shapes' | 'sliding';
  publicUrl: string | undefined;
  trustProxy: boolean;
  encryptionKey: string | undefined;
  recordsEnabled: boolean;
  recordsRetentionDays: number;
  recordsMaxRows: number;
  adminSessionMs: number;
  metricsEnabled: boolean;
  metricsPublic: boolean;
  /** Shared live state (cooldowns, dead keys, affinity) for several instances or workers. */
  redisUrl: string | undefined;
  /** Processes serving on one port (node:cluster); 1 = no cluster. */
  workers: number;
  /** Stored Responses API answers kept at most (oldest dropped first); 0 keeps none. */
  responsesStoreMaxCount: number;
  responsesStoreMaxAgeMs: number;
  /** True when no client token is set and the service therefore serves loopback only. */
  loopbackOnly: boolean;
  /** `pattern=model` pairs from MODEL_ALIASES, in order (see src/translate/model-aliases.ts). */
  modelAliases: ReadonlyArray<{ pattern: string; target: string }>;
  anthropicPingIntervalMs: number;
}>;

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Empty strings mean unset, as in openai-node's readEnv: `PORT=` in a .env must not become 0. */
function clean(env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  const result: Record<string, string | undefined> = {};
  for (const name of Object.keys(schema.shape)) {
    const value = env[name]?.trim();
    result[name] = value === '' ? undefined : value;
  }
  return result;
}

/** Parses the environment once; every problem is reported together, each named by its variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const parsed = schema.safeParse(clean(env));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(problems);
  }
  const values = parsed.data;
  const keys = [
    ...new Set([
      ...values.GEMINI_API_KEYS,
      ...values.GEMINI_API_KEYS_FILE,
      ...(values.GOOGLE_API_KEY ? [values.GOOGLE_API_KEY] : []),
    ]),
  ];
  const clientTokens = values.ALLOWED_TOKENS.map(parseClientToken);
  const loopbackOnly = clientTokens.length === 0;
  if (
    values.ADMIN_TOKEN !== undefined &&
    clientTokens.some((client) => client.token === values.ADMIN_TOKEN)
  ) {
    throw new ConfigError(['ADMIN_TOKEN: must differ from every client token in ALLOWED_TOKENS']);
  }
  const host = values.HOST ?? (loopbackOnly ? '127.0.0.1' : '0.0.0.0');
  if (values.HEADERS_TIMEOUT_MS > values.REQUEST_TIMEOUT_MS) {
    throw new ConfigError(['HEADERS_TIMEOUT_MS: must not exceed REQUEST_TIMEOUT_MS']);
  }
  if (loopbackOnly && !isLoopbackHost(host)) {
    throw new ConfigError([
      `ALLOWED_TOKENS: must be set when HOST=${host} is reachable beyond loopback (otherwise anyone could use your keys)`,
    ]);
  }
  return Object.freeze({
    port: values.PORT,
    host,
    keys: Object.freeze(keys),
    baseUrl: values.GEMINI_BASE_URL.replace(/\/+$/, ''),
    allowedTokens: Object.freeze(clientTokens.map((client) => client.token)),
    clientTokens: Object.freeze(clientTokens),
    adminToken: values.ADMIN_TOKEN,
    logLevel: values.LOG_LEVEL,
    logFile: values.LOG_FILE,
    logMaxBytes: values.LOG_MAX_BYTES,
    logMaxFiles: values.LOG_MAX_FILES,
    dataDir: values.DATA_DIR,
    maxBodyBytes: values.MAX_BODY_BYTES,
    maxUploadBytes: values.MAX_UPLOAD_BYTES,
    connectTimeoutMs: values.UPSTREAM_CONNECT_TIMEOUT_MS,
    firstByteTimeoutMs: values.UPSTREAM_FIRST_BYTE_TIMEOUT_MS,
    idleTimeoutMs: values.UPSTREAM_IDLE_TIMEOUT_MS,
    server: Object.freeze({
      headersTimeoutMs: values.HEADERS_TIMEOUT_MS,
      requestTimeoutMs: values.REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: values.KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: values.MAX_CONNECTIONS,
      maxRequestsPerSocket: values.MAX_REQUESTS_PER_SOCKET,
    }),
    upstreamMaxConnections: values.UPSTREAM_MAX_CONNECTIONS,
    upstreamHttp2: values.UPSTREAM_HTTP2,
    proxyUrl: values.PROXY_URL,
    proxyUrls: Object.freeze(values.PROXY_URLS),
    maxRetries: values.MAX_RETRIES,
    recheckIntervalMs: values.KEY_RECHECK_INTERVAL_MS,
    recheckConcurrency: values.KEY_RECHECK_CONCURRENCY,
    quotaDefaultCooldownMs: values.QUOTA_DEFAULT_COOLDOWN_MS,
    quotaMinuteMs: values.QUOTA_MINUTE_MS,
    quotaCount: values.QUOTA_COUNT,
    publicUrl: values.PUBLIC_URL?.replace(/\/+$/, ''),
    trustProxy: values.TRUST_PROXY,
    encryptionKey: values.ENCRYPTION_KEY,
    recordsEnabled: values.RECORDS_ENABLED,
    recordsRetentionDays: values.RECORDS_RETENTION_DAYS,
    recordsMaxRows: values.RECORDS_MAX_ROWS,
    adminSessionMs: values.ADMIN_SESSION_HOURS * 3_600_000,
    metricsEnabled: values.METRICS_ENABLED,
    metricsPublic: values.METRICS_PUBLIC,
    redisUrl: values.REDIS_URL,
    workers: values.WORKERS,
    responsesStoreMaxCount: values.RESPONSES_STORE_MAX_COUNT,
    responsesStoreMaxAgeMs: values.RESPONSES_STORE_MAX_AGE_MS,
    loopbackOnly,
    modelAliases: Object.freeze(
      values.MODEL_ALIASES.map((entry) => {
        const [pattern = '', target = ''] = entry.split('=').map((side) => side.trim());
        return { pattern, target };
      }),
    ),
    anthropicPingIntervalMs: values.ANTHROPIC_PING_INTERVAL_MS,
  });
}
