import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { errors } from '../errors/app-error.ts';
import type { AdminContext } from './admin-context.ts';
import { adminGuard } from './admin-guard.ts';
import { countStates, keyTable } from './key-table.ts';

const addBody = z.object({ text: z.string().max(1024 * 1024) });
const verifyBody = z.object({ ids: z.array(z.string().max(64)).max(100_000).optional() });
const disableBody = z.object({ reason: z.string().max(200).optional() });
const noteBody = z.object({ note: z.string().max(500) });
const exportBody = z.object({ state: z.enum(['all', 'active', 'disabled']).default('all') });
const idParams = z.object({ id: z.string().max(64) });

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw errors.invalidArgument(parsed.error.issues[0]?.message ?? 'Invalid request.');
  return parsed.data;
}

const unknownKey = () => errors.unknownAdminItem('key');

/** The key table and its actions. Nothing here answers with a secret except the explicit export. */
export async function keyRoutes(app: FastifyInstance, context: AdminContext): Promise<void> {
  const { pool, keys, runtime } = context;
  const options = { config: { public: true }, preHandler: adminGuard(context.sessions) };

  app.get('/admin/api/keys', options, async () => {
    context.flushRecords();
    const views = pool.list();
    return {
      persistent: keys.persistent,
      states: countStates(views),
      keys: keyTable({
        views,
        records: context.records,
        notes: runtime.notes(),
        source: (id) => keys.source(id),
        learnt: context.learntLimits(),
        now: Date.now(),
      }),
    };
  });

  app.post('/admin/api/keys', { ...options, bodyLimit: 1024 * 1024 + 1024 }, async (request) => {
    const { text } = parse(addBody, request.body);
    const results = await keys.add(text);
    return {
      persistent: keys.persistent,
      found: results.length,
      added: results.filter((result) => result.added).length,
      results,
    };
  });

  app.post('/admin/api/keys/verify', options, async (request) => {
    const { ids } = parse(verifyBody, request.body);
    return keys.startVerify(ids);
  });

  app.get('/admin/api/tasks/:id', options, async (request) => {
    const task = keys.tasks.get(parse(idParams, request.params).id);
    if (task === undefined) throw errors.unknownAdminItem('task');
    return task;
  });

  app.post('/admin/api/keys/:id/enable', options, async (request) => {
    const { id } = parse(idParams, request.params);
    if (!pool.enable(id)) throw unknownKey();
    return { fingerprint: id, enabled: true };
  });

  app.post('/admin/api/keys/:id/disable', options, async (request) => {
    const { id } = parse(idParams, request.params);
    const { reason } = parse(disableBody, request.body);
    if (!pool.disable(id, reason === undefined || reason === '' ? 'disabled by the admin' : reason))
      throw unknownKey();
    return { fingerprint: id, enabled: false };
  });

  app.put('/admin/api/keys/:id/note', options, async (request) => {
    const { id } = parse(idParams, request.params);
    if (pool.get(id) === undefined) throw unknownKey();
    runtime.setNote(id, parse(noteBody, request.body).note.trim());
    return { fingerprint: id };
  });

  app.delete('/admin/api/keys/:id', options, async (request) => {
    const { id } = parse(idParams, request.params);
    const source = keys.source(id);
    if (!keys.remove(id)) throw unknownKey();
    return { fingerprint: id, removed: true, returnsAtRestart: source === 'config' };
  });

  app.post('/admin/api/keys/export', options, async (request, reply) => {
    const { state } = parse(exportBody, request.body);
    request.log.info({ state }, 'admin exported keys');
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="gemini-keys-${state}.txt"`)
      .type('text/plain; charset=utf-8')
      .send(`${keys.export(state).join('\n')}\n`);
  });
}
