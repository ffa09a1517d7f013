import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

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
