import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { errors } from '../errors/app-error.ts';
import { listRecords, perMinute, usageSeries, usageTotals } from '../store/request-record-queries.ts';
import type { AdminContext } from './admin-context.ts';
import { adminGuard } from './admin-guard.ts';
import { countStates } from './key-table.ts';
import { maskedConfig } from './masked-config.ts';
import { toCsv } from './to-csv.ts';

const hourMs = 3_600_000;
const ranges = {
  '24h': { span: 24 * hourMs, bucket: hourMs },
  '30d': { span: 30 * 24 * hourMs, bucket: 24 * hourMs },
};

const usageQuery = z.object({
  dimension: z.enum(['model', 'key', 'client', 'all']).default('model'),
  range: z.enum(['24h', '30d']).default('24h'),
});
const optionalNumber = z.coerce.number().int().optional();
const recordQuery = z.object({
  from: optionalNumber,
  to: optionalNumber,
  key: z.string().max(64).optional(),
  model: z.string().max(200).optional(),
  client: z.string().max(100).optional(),
  status: z.string().max(5).optional(),
  outcome: z.string().max(20).optional(),
  text: z.string().max(200).optional(),
  before: optionalNumber,
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw errors.invalidArgument(parsed.error.issues[0]?.message ?? 'Invalid query.');
  return parsed.data;
}

/** Overview, usage over time, the request log (JSON and CSV) and the masked configuration. */
export async function reportRoutes(app: FastifyInstance, context: AdminContext): Promise<void> {
  const options = { config: { public: true }, preHandler: adminGuard(context.sessions) };
  const database = () => {
    if (context.records === undefined) throw errors.recordsDisabled();
    context.flushRecords();
    return context.records.database;
  };

  app.get('/admin/api/overview', options, async () => {
    const now = Date.now();
    const keys = countStates(context.pool.list());
    if (context.records === undefined) return { keys, records: false };
    const store = database();
    const day = usageTotals(store, 'all', now - 24 * hourMs).get('');
    const minutes = perMinute(store, now - hourMs);
    const lastMinute = minutes.filter((minute) => minute.time >= now - 60_000 - (now % 60_000));
    return {
      keys,
      records: true,
      persistent: context.keys.persistent,
      requestsPerMinute: lastMinute.reduce((sum, minute) => sum + minute.requests, 0),
      last24h: day ?? null,
      errorRate24h: day === undefined || day.requests === 0 ? 0 : day.errors / day.requests,
      perMinute: minutes,
    };
  });

  app.get('/admin/api/usage', options, async (request) => {
    const { dimension, range } = parse(usageQuery, request.query);
    const { span, bucket } = ranges[range];
    const from = Date.now() - span;
    return {
      dimension,
      range,
      from,
      bucketMs: bucket,
      points: usageSeries(database(), dimension, from, bucket),
    };
  });

  app.get('/admin/api/requests', options, async (request) => {
    const filter = parse(recordQuery, request.query);
    return { records: listRecords(database(), filter) };
  });

  app.get('/admin/api/requests.csv', options, async (request, reply) => {
    const filter = parse(recordQuery, request.query);
    const records = listRecords(database(), { ...filter, limit: filter.limit ?? 10_000 });
    return reply
      .header('content-disposition', 'attachment; filename="requests.csv"')
      .type('text/csv; charset=utf-8')
      .send(toCsv(records));
  });

  app.get('/admin/api/config', options, async () => ({
    config: maskedConfig(context.config),
    runtimeKeysPersistent: context.keys.persistent,
  }));
}
