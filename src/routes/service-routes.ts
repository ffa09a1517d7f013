import type { FastifyInstance } from 'fastify';
import { registerDocs } from './docs/register-docs.ts';

const healthSchema = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['ok'] } },
  required: ['status'],
} as const;

/** `GET /health` and the OpenAPI docs under `/docs`: open to all, they describe and do not forward. */
export async function serviceRoutes(app: FastifyInstance): Promise<void> {
  await registerDocs(app);
  app.get(
    '/health',
    {
      config: { public: true },
      schema: { summary: 'Liveness', tags: ['service'], response: { 200: healthSchema } },
    },
    async () => ({ status: 'ok' }),
  );
}
