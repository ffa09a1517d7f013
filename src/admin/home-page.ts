import type { FastifyInstance } from 'fastify';

const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gemini Balance</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1f2933}
code{background:#eef2f7;padding:.1rem .3rem;border-radius:4px}a{color:#1d4ed8}</style></head>
<body><h1>Gemini Balance</h1>
<p>Many Gemini API keys behind one endpoint. Point a Gemini, OpenAI or compatible client here with your client token.</p>
<ul>
<li><a href="/docs">/docs</a>: the API reference (OpenAPI)</li>
<li><a href="/admin">/admin</a>: the operator dashboard (needs the admin token)</li>
<li><a href="/health">/health</a>: liveness</li>
<li><code>/metrics</code>: Prometheus metrics</li>
</ul></body></html>
`;

/** `GET /`: tells a person where things are, instead of a bare 401. */
export async function homePage(app: FastifyInstance): Promise<void> {
  app.get('/', { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
    reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html),
  );
}
