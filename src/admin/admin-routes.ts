import type { FastifyInstance } from 'fastify';
import type { AdminContext } from './admin-context.ts';
import { dashboardRoutes } from './dashboard-routes.ts';
import { keyRoutes } from './key-routes.ts';
import { reportRoutes } from './report-routes.ts';
import { sessionRoutes } from './session-routes.ts';

/**
 * Everything under /admin: the API (ADMIN_TOKEN as bearer or the dashboard session), the pages and
 * their assets. Client tokens do not open any of it; the routes are marked public only so the
 * client-token check leaves them to the admin guard.
 */
export async function adminRoutes(app: FastifyInstance, context: AdminContext): Promise<void> {
  // JSON only: the admin API never reads form bodies, so a cross-site form post has nothing to act on.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );
  await app.register(sessionRoutes, context);
  await app.register(keyRoutes, context);
  await app.register(reportRoutes, context);
  await app.register(dashboardRoutes, context);
}
