import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import { errors } from '../../errors/app-error.ts';
import { toGeminiErrorBody } from '../../errors/wire-formats.ts';
import { anthropicPaths } from './anthropic-paths.ts';
import { geminiSchemas } from './gemini-schemas.ts';
import { mediaPaths } from './media-paths.ts';
import { nativePaths } from './native-paths.ts';
import { openaiPaths } from './openai-paths.ts';
import { type OpenApiObject, securitySchemes } from './operation.ts';
import { responsesPaths } from './responses-paths.ts';

const description = `Many Gemini API keys behind one endpoint. Native Gemini calls pass through unchanged with a pool key; OpenAI clients are translated.

**Authorize** with a client token (one of \`ALLOWED_TOKENS\`): Gemini clients send it as \`x-goog-api-key\` or \`?key=\`, OpenAI clients as \`Authorization: Bearer\`, Anthropic clients as \`x-api-key\` (or Bearer); any of the first three works on native routes. When \`ALLOWED_TOKENS\` is empty the service answers loopback callers without a token.

Settings for the usual clients (SDKs, Gemini CLI, chat apps): docs/CLIENTS.md in the repository.`;

/** Routes documented by hand (the catalogues in this folder) or not worth a line: kept out of the generated list. */
function documentedByHand(url: string, method: readonly string[]): boolean {
  if (!method.some((name) => ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(name))) return true;
  if (/^\/(v1beta|v1|v1alpha|upload)\/\*$/.test(url)) return true;
  if (url.startsWith('/openai/v1/') || /^\/v1\/(messages|responses|images|audio)\b/.test(url)) return true;
  return ['/v1/chat/completions', '/v1/embeddings', '/v1/models', '/v1/models/:model'].includes(url);
}

/**
 * The docs as an app of their own: @fastify/swagger given the service's `routes` (their methods, URLs
 * and schemas; the handlers are never called here), the hand-written catalogues, and the swagger-ui
 * page under `/docs`. Built at the first docs request (see register-docs.ts).
 */
export async function buildDocsApp(routes: readonly RouteOptions[]): Promise<FastifyInstance> {
  const app = Fastify({ routerOptions: { ignoreDuplicateSlashes: true } });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Gemini Balance', description, version: '0.1.0' },
      tags: [
        {
          name: 'Gemini API',
          description: 'The Gemini API, passed through: point Gemini SDKs at this origin.',
        },
        { name: 'OpenAI API', description: 'OpenAI clients: base URL `<origin>/v1`.' },
        { name: 'Anthropic API', description: 'Claude Code and Anthropic SDKs: base URL `<origin>`.' },
        { name: 'service', description: 'The service itself.' },
        {
          name: 'Admin API',
          description:
            'For the operator: `Authorization: Bearer` with ADMIN_TOKEN (not a client token), or the dashboard session.',
        },
      ],
      components: { securitySchemes },
    },
    transform: ({ schema, url, route }) => {
      const methods = [route.method].flat().map(String);
      if (documentedByHand(url, methods)) return { schema: { ...schema, hide: true }, url };
      // The operator's API answers to ADMIN_TOKEN (or the dashboard's session), not a client token.
      if (url.startsWith('/admin/api/'))
        return { schema: { tags: ['Admin API'], security: [{ bearer: [] }], ...schema }, url };
      return { schema, url };
    },
    transformObject: (documents) => {
      const document = (
        'openapiObject' in documents ? documents.openapiObject : documents.swaggerObject
      ) as OpenApiObject;
      const components = (document.components ?? {}) as OpenApiObject;
      return {
        ...document,
        paths: {
          ...nativePaths,
          ...openaiPaths,
          ...mediaPaths,
          ...responsesPaths,
          ...anthropicPaths,
          ...(document.paths as OpenApiObject),
        },
        components: {
          ...components,
          schemas: { ...(components.schemas as OpenApiObject), ...geminiSchemas },
        },
      } as typeof document;
    },
  });
  // The service's own /docs routes only lead here; HEAD routes Fastify adds again by itself.
  for (const route of routes.filter((route) => !route.url.startsWith('/docs') && route.method !== 'HEAD')) {
    const schema = route.schema === undefined ? {} : { schema: route.schema };
    app.route({ method: route.method, url: route.url, ...schema, handler: unreachable });
  }
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: {
      // No top bar (the framework's logo and a URL box): the page is about this API.
      layout: 'BaseLayout',
      deepLinking: true,
      persistAuthorization: true,
      displayRequestDuration: true,
      docExpansion: 'list',
      defaultModelsExpandDepth: 0,
      supportedSubmitMethods: ['get', 'post', 'put', 'patch', 'delete'],
    },
    theme: { title: 'Gemini Balance API' },
  });
  // Any other /docs/… path: the service's own 404, in Gemini's format.
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .type('application/json; charset=utf-8')
      .send(toGeminiErrorBody(errors.notFound(request.url.split('?')[0] ?? '/docs'))),
  );
  await app.ready();
  return app;
}

/** The docs app only describes the service's routes; their requests never reach it. */
async function unreachable(): Promise<never> {
  throw errors.internal();
}
