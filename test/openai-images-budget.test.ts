import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { test } from 'node:test';
import { maxRemoteImages } from '../src/media/fetch-images.ts';
import { createImageFetcher } from '../src/media/fetch-remote-image.ts';
import { fetchChatImages } from '../src/surfaces/openai/routes/fetch-chat-images.ts';
import { parseChatRequest } from '../src/surfaces/openai/schema/chat-request-schema.ts';

const mebibyte = 1024 * 1024;
const pngHeader = Buffer.from('89504e470d0a1a0a', 'hex');

test('the images of one request share a 20 MiB budget charged while bytes arrive: the rest is never downloaded', async () => {
  let written = 0;
  const sockets = new Set<Socket>();
  // Every URL is a 19 MiB PNG (each under the per-image limit), written only as the reader takes it.
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'image/png' });
    let left = 19 * mebibyte;
    const chunk = Buffer.alloc(64 * 1024);
    pngHeader.copy(chunk);
    const pump = (): void => {
      while (left > 0) {
        left -= chunk.length;
        written += chunk.length;
        if (!response.write(chunk)) return void response.once('drain', pump);
      }
      response.end();
    };
    pump();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const fetcher = createImageFetcher({ isAllowed: (address) => address === '127.0.0.1' });
  const content = Array.from({ length: maxRemoteImages }, (_, index) => ({
    type: 'image_url',
    image_url: { url: `http://127.0.0.1:${port}/image-${index}.png` },
  }));
  const request = parseChatRequest({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content }] });
  await assert.rejects(fetchChatImages(request, fetcher, new AbortController().signal), (error: unknown) => {
    assert.equal((error as { status?: number }).status, 400);
    assert.match(String(error), /add up to more than/);
    return true;
  });
  await fetcher.close();
  // 16 × 19 MiB were on offer; what left the server is the budget plus what the sockets buffered.
  assert.ok(written < 80 * mebibyte, `${(written / mebibyte).toFixed(1)} MiB were sent`);
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});
