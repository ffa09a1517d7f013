import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { createImageFetcher, type ImageFetcher } from '../src/media/fetch-remote-image.ts';
import { clientToken } from './helpers/secrets.ts';
import { type RunningService, startService } from './helpers/start-service.ts';
import { MockGemini } from './mock-upstream/mock-gemini.ts';

/** A 1×1 PNG. */
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);
const imageLimit = 1024;

/** Serves /pixel (a PNG sent as octet-stream), /big (over the limit, chunked) and /to-private (a redirect). */
async function startImageServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    if (request.url === '/pixel') {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      response.end(png);
    } else if (request.url === '/big') {
      response.writeHead(200, { 'content-type': 'image/png' });
      response.write(Buffer.alloc(imageLimit));
      response.end(Buffer.alloc(imageLimit));
    } else {
      response.writeHead(302, { location: 'http://127.0.0.2/pixel' });
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

function imageRequest(url: string): OpenAI.ChatCompletionCreateParamsNonStreaming {
  return {
    model: 'gemini-2.5-flash',
    messages: [
      { role: 'system', content: 'Be brief.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url } },
        ],
      },
    ],
  };
}

const imageParam = 'messages[1].content[1].image_url.url';

describe('remote images of chat messages', () => {
  let mock: MockGemini;
  let images: { server: Server; port: number };
  let loopbackAllowed: RunningService;
  let defaults: RunningService;
  let fetcher: ImageFetcher;

  before(async () => {
    mock = await MockGemini.start();
    images = await startImageServer();
    // Loopback stands in for the internet here; 127.0.0.2 stays refused to test redirects.
    fetcher = createImageFetcher({
      maxBytes: imageLimit,
      isAllowed: (address) => address === '127.0.0.1' || address === '::1',
    });
    loopbackAllowed = await startService(mock.url, {}, { images: fetcher });
    defaults = await startService(mock.url);
  });
  after(async () => {
    await loopbackAllowed.close();
    await defaults.close();
    await fetcher.close();
    images.server.close();
    await mock.close();
  });

  const client = (service: RunningService) =>
    new OpenAI({ apiKey: clientToken, baseURL: `${service.url}/v1`, maxRetries: 0 });

  async function badRequest(
    service: RunningService,
    url: string,
  ): Promise<InstanceType<typeof OpenAI.BadRequestError>> {
    const before = mock.received.length;
    try {
      await client(service).chat.completions.create(imageRequest(url));
    } catch (error) {
      assert.ok(error instanceof OpenAI.BadRequestError, String(error));
      assert.equal(mock.received.length, before, 'nothing went upstream');
      return error;
    }
    assert.fail('expected a 400');
  }

  test('an allowed image is fetched and sent upstream as inlineData', async () => {
    await client(loopbackAllowed).chat.completions.create(
      imageRequest(`http://localhost:${images.port}/pixel`),
    );
    const body = JSON.parse(mock.requestsTo(':generateContent').at(-1)?.body.toString('utf8') ?? '{}') as {
      contents: Array<{ parts: unknown[] }>;
    };
    assert.deepEqual(body.contents[0]?.parts[1], {
      inlineData: { mimeType: 'image/png', data: png.toString('base64') },
    });
  });

  test('an image over the size limit → 400 naming the part', async () => {
    const error = await badRequest(loopbackAllowed, `http://127.0.0.1:${images.port}/big`);
    assert.equal(error.param, imageParam);
    assert.match(error.message, /larger than the limit of 1024 bytes/);
  });

  test('a redirect to a refused address → 400 naming the part', async () => {
    const error = await badRequest(loopbackAllowed, `http://127.0.0.1:${images.port}/to-private`);
    assert.equal(error.param, imageParam);
    assert.match(error.message, /non-public address/);
  });

  for (const host of ['127.0.0.1', 'localhost', '[::ffff:127.0.0.1]', '[::1]']) {
    test(`by default a URL to ${host} → 400 naming the part`, async () => {
      const error = await badRequest(defaults, `http://${host}:${images.port}/pixel`);
      assert.equal(error.param, imageParam);
      assert.match(error.message, /non-public address/);
    });
  }
});
