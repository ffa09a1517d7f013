import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { loadOnFirstCall } from '../../http/load-on-first-call.ts';

/**
 * The OpenAPI document at `/docs/json` and the page at `/docs`: open to all, they describe and do not
 * forward. Built at the first docs request, as an app of its own (docs-app.ts): swagger, its page and
 * the hand-written catalogues (JSON Schemas converted from zod) are ~8 MiB of heap a pass-through
 * never needs. This collects every route registered after it, for the document.
 */
export async function registerDocs(app: FastifyInstance): Promise<void> {
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  const docs = loadOnFirstCall(() => import('./docs-app.ts').then((module) => module.buildDocsApp(routes)));
  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    const docsApp = await docs();
    reply.hijack();
    docsApp.routing(request.raw, reply.raw);
  };
  // Not in the document: the docs app leaves its own routes out (docs-app.ts).
  const options = { config: { public: true } };
  app.get('/docs', options, serve);
  app.get('/docs/*', options, serve);
}
