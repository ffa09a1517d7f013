import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AdminContext } from './admin-context.ts';
import { isAdmin } from './admin-guard.ts';

const require = createRequire(import.meta.url);
const here = join(import.meta.dirname, 'assets');

/** Every asset the pages load, served by us (no CDN: offline deployments work). */
const assetFiles: Record<string, { path: string; type: string }> = {
  'dashboard.js': { path: join(here, 'dashboard.js'), type: 'text/javascript; charset=utf-8' },
  'dashboard-views.js': { path: join(here, 'dashboard-views.js'), type: 'text/javascript; charset=utf-8' },
  'sign-in.js': { path: join(here, 'sign-in.js'), type: 'text/javascript; charset=utf-8' },
  'admin.css': { path: join(here, 'admin.css'), type: 'text/css; charset=utf-8' },
  'uPlot.iife.min.js': {
    path: require.resolve('uplot/dist/uPlot.iife.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'uPlot.min.css': { path: require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

const securityHeaders = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

function page(reply: FastifyReply, html: Buffer): FastifyReply {
  return reply.headers(securityHeaders).type('text/html; charset=utf-8').send(html);
}

/** The dashboard page (signed in only; otherwise a redirect to sign-in), the sign-in page and the assets. */
export async function dashboardRoutes(app: FastifyInstance, context: AdminContext): Promise<void> {
  const dashboard = readFileSync(join(here, 'dashboard.html'));
  const signIn = readFileSync(join(here, 'sign-in.html'));
  const assets = new Map(
    Object.entries(assetFiles).map(([name, file]) => [
      name,
      { bytes: readFileSync(file.path), type: file.type },
    ]),
  );
  const open = { config: { public: true }, schema: { hide: true } };

  app.get('/admin', open, async (request, reply) => {
    if (!isAdmin(request, context.sessions)) return reply.redirect('/admin/sign-in', 302);
    return page(reply, dashboard);
  });
  app.get('/admin/', open, async (_request, reply) => reply.redirect('/admin', 302));
  app.get('/admin/sign-in', open, async (_request, reply) => page(reply, signIn));
  app.get('/admin/assets/:name', open, async (request, reply) => {
    const asset = assets.get((request.params as { name: string }).name);
    if (asset === undefined) return reply.code(404).type('text/plain; charset=utf-8').send('Not found.');
    return reply
      .header('cache-control', 'public, max-age=3600')
      .header('x-content-type-options', 'nosniff')
      .type(asset.type)
      .send(asset.bytes);
  });
}
