import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nativeCall } from './helpers/native-call.ts';
import { poolKeys } from './helpers/secrets.ts';
import { withService } from './helpers/with-service.ts';

const unicodeEscaped = (key: string) =>
  [...key].map((character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

test('a pool key Google quotes back is masked in headers, Location, 2xx bodies, \\u-escapes and stream error events', async () => {
  const override = (
    request: { key: string | undefined; url: string },
    response: import('node:http').ServerResponse,
  ) => {
    const key = request.key ?? '';
    if (request.url.includes('streamGenerateContent')) {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'x-debug': `consumer ${key}` });
      response.write('data: {"candidates":[{"content":{"parts":[{"text":"Hi"}]}}]}\r\n\r\n');
      // Split inside the key: the masker must hold the tail back until it knows.
      const event = `data: {"error":{"code":403,"message":"Consumer 'api_key:${key}' has been suspended."}}\r\n\r\n`;
      response.write(event.slice(0, 60));
      setTimeout(() => response.end(event.slice(60)), 20);
      return true;
    }
    const body = JSON.stringify({ note: `key ${key}` }).replace('}', `,"escaped":"${unicodeEscaped(key)}"}`);
    response.writeHead(200, {
      'content-type': 'application/json',
      location: `https://example.com/callback?key=${key}`,
      'content-length': String(Buffer.byteLength(body)),
    });
    response.end(body);
    return true;
  };
  await withService({ override }, async ({ service }) => {
    const unary = await nativeCall(service.url, 'gemini-2.5-flash:generateContent');
    const headers = JSON.stringify([...unary.headers]);
    const unaryText = await unary.text();
    const streamed = await nativeCall(service.url, 'gemini-2.5-flash:streamGenerateContent?alt=sse');
    const streamHeaders = JSON.stringify([...streamed.headers]);
    const streamText = await streamed.text();
    for (const key of poolKeys) {
      for (const [where, text] of [
        ['headers', headers],
        ['body', unaryText],
        ['stream headers', streamHeaders],
        ['stream', streamText],
      ] as const) {
        assert.ok(!text.includes(key), `${where} quotes a pool key`);
        assert.ok(!text.includes(unicodeEscaped(key)), `${where} quotes a pool key escaped`);
      }
    }
    assert.match(unaryText, /key_[0-9a-f]{12}\*+/);
    assert.match(streamText, /Consumer 'api_key:key_[0-9a-f]{12}\*+' has been suspended/);
    assert.ok(JSON.parse(unaryText));
  });
});
