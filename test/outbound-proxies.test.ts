import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import WebSocket from 'ws';
import { fingerprintKey } from '../src/secrets/fingerprint.ts';
import { proxyForKey } from '../src/upstream/proxy-for-key.ts';
import { ConnectProxy } from './helpers/connect-proxy.ts';
import { behaviourKeys, clientToken } from './helpers/secrets.ts';
import { startService } from './helpers/start-service.ts';
import { MockGemini } from './mock-upstream/mock-gemini.ts';

test('with PROXY_URLS each key always leaves through its own proxy, as the stable hash says', async () => {
  const mock = await MockGemini.start();
  const keys = [behaviourKeys.healthyA, behaviourKeys.healthyB, behaviourKeys.healthyC, behaviourKeys.slow];
  // The hash depends on the proxies' URLs (random ports): take a pair over which these keys split,
  // so that one shared proxy could not pass the test.
  let proxies = [await ConnectProxy.start(), await ConnectProxy.start()];
  const splits = () =>
    new Set(
      keys.map((key) =>
        proxyForKey(
          fingerprintKey(key),
          proxies.map((proxy) => proxy.url),
        ),
      ),
    ).size === 2;
  for (let attempt = 0; attempt < 20 && !splits(); attempt++) {
    for (const proxy of proxies) await proxy.close();
    proxies = [await ConnectProxy.start(), await ConnectProxy.start()];
  }
  const urls = proxies.map((proxy) => proxy.url);
  const service = await startService(mock.url, {
    GEMINI_API_KEYS: keys.join(','),
    PROXY_URLS: urls.join(','),
  });
  try {
    for (let index = 0; index < 12; index++) {
      const response = await fetch(`${service.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
        method: 'POST',
        body: '{"contents":[{"parts":[{"text":"hi"}]}]}',
        headers: { 'x-goog-api-key': clientToken },
      });
      assert.equal(response.status, 200);
      await response.arrayBuffer();
    }
    assert.equal(mock.received.length, 12);
    assert.ok(proxies.every((proxy) => proxy.keysSeen.size > 0));
    for (const key of keys) {
      const expected = proxyForKey(fingerprintKey(key), urls);
      const through = proxies.filter((proxy) => proxy.keysSeen.has(key)).map((proxy) => proxy.url);
      assert.deepEqual(through, [expected], `key ${fingerprintKey(key)} went through its proxy only`);
    }
  } finally {
    await service.close();
    await mock.close();
    for (const proxy of proxies) await proxy.close();
  }
});

test('a Live session leaves through its key’s proxy too', async () => {
  const mock = await MockGemini.start();
  const proxies = [await ConnectProxy.start(), await ConnectProxy.start()];
  const urls = proxies.map((proxy) => proxy.url);
  const service = await startService(mock.url, { PROXY_URLS: urls.join(',') });
  try {
    for (let index = 0; index < 3; index++) {
      const socket = new WebSocket(
        `${service.url.replace('http', 'ws')}/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent?key=${clientToken}`,
      );
      await once(socket, 'open');
      socket.send('{"setup":{"model":"models/x"}}');
      await once(socket, 'message');
      socket.close();
      await once(socket, 'close');
    }
    assert.equal(mock.liveSessions.length, 3);
    for (const session of mock.liveSessions) {
      const key = session.key ?? '';
      const expected = proxyForKey(fingerprintKey(key), urls);
      const through = proxies.filter((proxy) => proxy.keysSeen.has(key)).map((proxy) => proxy.url);
      assert.deepEqual(through, [expected]);
    }
  } finally {
    await service.close();
    await mock.close();
    for (const proxy of proxies) await proxy.close();
  }
});
