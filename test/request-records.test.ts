import assert from 'node:assert/strict';
import { once } from 'node:events';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import WebSocket from 'ws';
import { fingerprintKey } from '../src/secrets/fingerprint.ts';
import { nativeCall } from './helpers/native-call.ts';
import { clientToken, wrongToken } from './helpers/secrets.ts';
import { startService } from './helpers/start-service.ts';
import { waitFor } from './helpers/wait-for.ts';
import { MockGemini } from './mock-upstream/mock-gemini.ts';

const total = 2000;
const concurrency = 32;

test('records written equal requests answered after a burst of 2,000 mixed requests and a graceful shutdown', async () => {
  const mock = await MockGemini.start();
  const service = await startService(mock.url);
  const kinds: Array<() => Promise<Response>> = [
    () => nativeCall(service.url, 'gemini-2.5-flash:generateContent'),
    () => nativeCall(service.url, 'gemini-2.5-flash:streamGenerateContent?alt=sse'),
    () => nativeCall(service.url, 'gemini-2.5-flash:countTokens'),
    () => nativeCall(service.url, 'mock-error-404-model-not-found-v1beta:generateContent'),
    () =>
      fetch(`${service.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${clientToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }] }),
      }),
    () =>
      fetch(`${service.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
        method: 'POST',
        headers: { 'x-goog-api-key': wrongToken },
        body: '{}',
      }),
  ];
  const statuses = new Map<number, number>();
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < total; index = next++) {
      const response = await (kinds[index % kinds.length] as () => Promise<Response>)();
      await response.arrayBuffer();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    await service.close();
    await mock.close();
  }
  const answered = [...statuses.values()].reduce((sum, count) => sum + count, 0);
  assert.equal(answered, total);
  const database = new DatabaseSync(join(service.dataDir, 'gemini-balance.db'), { readOnly: true });
  try {
    const rows = database
      .prepare('SELECT status, count(*) AS count FROM request_record GROUP BY status')
      .all();
    const written = new Map(rows.map((row) => [Number(row.status), Number(row.count)]));
    assert.deepEqual(written, statuses);
    assert.deepEqual([...statuses.keys()].sort(), [200, 401, 404]);
  } finally {
    database.close();
  }
});

test('Live upgrades are recorded too: a session with its key, and a refused one with its status', async () => {
  const mock = await MockGemini.start();
  const service = await startService(mock.url, { ALLOWED_TOKENS: `alice:${clientToken}` });
  const live = `${service.url.replace('http', 'ws')}/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent`;
  try {
    const socket = new WebSocket(`${live}?key=${clientToken}`);
    await once(socket, 'open');
    socket.send('{"setup":{"model":"models/x"}}');
    await once(socket, 'message');
    socket.close(1000);
    await once(socket, 'close');
    const refused = new WebSocket(`${live}?key=${wrongToken}`);
    const [failure] = (await once(refused, 'error')) as [Error];
    assert.match(failure.message, /401/);
    await waitFor(() => mock.liveSessions.at(-1)?.closed === true, { timeoutMs: 2000 });
  } finally {
    await service.close();
    await mock.close();
  }
  const database = new DatabaseSync(join(service.dataDir, 'gemini-balance.db'), { readOnly: true });
  try {
    const rows = database
      .prepare(
        "SELECT status, client, key_fingerprint, outcome, stream FROM request_record WHERE route LIKE '/ws/%' ORDER BY id",
      )
      .all();
    assert.deepEqual(
      rows.map((row) => [row.status, row.client, row.outcome, row.stream]),
      [
        [101, 'alice', 'ok', 1],
        [401, null, 'refused', 1],
      ],
    );
    assert.equal(rows[0]?.key_fingerprint, fingerprintKey(mock.liveSessions[0]?.key ?? ''));
  } finally {
    database.close();
  }
});
