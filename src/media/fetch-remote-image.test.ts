import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { AppError } from '../errors/app-error.ts';
import { createImageFetcher } from './fetch-remote-image.ts';

const gif = Buffer.from('GIF89a\u0001\u0000\u0001\u0000\u0000\u0000\u0000;', 'latin1');

describe('createImageFetcher', () => {
  let server: Server;
  let origin: string;
  const loopback = (address: string) => address === '127.0.0.1' || address === '::1';

  before(async () => {
    server = createServer((request, response) => {
      if (request.url === '/gif') return void response.end(gif);
      if (request.url === '/jpeg-declared') {
        response.writeHead(200, { 'content-type': 'image/jpeg; charset=binary' });
        return void response.end('whatever');
      }
      if (request.url === '/html') return void response.end('<html></html>');
      if (request.url === '/missing') {
        response.writeHead(404);
        return void response.end();
      }
      if (request.url === '/hang') return;
      const hops = Number(request.url?.split('/')[2] ?? 0);
      response.writeHead(302, { location: hops === 0 ? '/gif' : `/loop/${hops - 1}` });
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  async function failure(url: string, options: Parameters<typeof createImageFetcher>[0]): Promise<string> {
    const fetcher = createImageFetcher(options);
    try {
      await fetcher.fetch(url, new AbortController().signal);
    } catch (error) {
      assert.ok(error instanceof AppError, String(error));
      assert.equal(error.status, 400);
      return error.message;
    } finally {
      await fetcher.close();
    }
    assert.fail('expected the fetch to fail');
  }

  it('sniffs the type when the server does not name one, and follows redirects', async () => {
    const fetcher = createImageFetcher({ isAllowed: loopback });
    try {
      const signal = new AbortController().signal;
      assert.deepEqual(await fetcher.fetch(`${origin}/loop/2`, signal), {
        mimeType: 'image/gif',
        data: gif.toString('base64'),
      });
      assert.equal((await fetcher.fetch(`${origin}/jpeg-declared`, signal)).mimeType, 'image/jpeg');
    } finally {
      await fetcher.close();
    }
  });

  it('refuses what is not an image, an error status, endless redirects and other schemes', async () => {
    assert.match(await failure(`${origin}/html`, { isAllowed: loopback }), /not an image/);
    assert.match(await failure(`${origin}/missing`, { isAllowed: loopback }), /HTTP 404/);
    assert.match(await failure(`${origin}/loop/5`, { isAllowed: loopback }), /redirected more than 3 times/);
    assert.match(await failure('file:///etc/passwd', { isAllowed: loopback }), /only http\(s\)/);
    assert.match(await failure('ftp://example.com/a.png', {}), /only http\(s\)/);
  });

  it('gives up on a server that never answers', async () => {
    assert.match(await failure(`${origin}/hang`, { isAllowed: loopback, timeoutMs: 100 }), /did not arrive/);
  });

  it('refuses loopback by default, by name and by literal', async () => {
    const port = new URL(origin).port;
    for (const host of ['localhost', '127.0.0.1', '[::1]', '[::ffff:127.0.0.1]', '0.0.0.0'])
      assert.match(await failure(`http://${host}:${port}/gif`, {}), /non-public address/, host);
  });
});
