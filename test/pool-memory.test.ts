import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { fingerprintKey } from '../src/secrets/fingerprint.ts';
import { nativeCall } from './helpers/native-call.ts';
import { behaviourKeys, clientToken } from './helpers/secrets.ts';
import { startService } from './helpers/start-service.ts';
import { waitFor } from './helpers/wait-for.ts';
import { withService } from './helpers/with-service.ts';
import { keyBehaviours, minuteQuotaModel } from './mock-upstream/key-behaviours.ts';
import { MockGemini } from './mock-upstream/mock-gemini.ts';

/** A small text file uploaded through the service with the Gemini SDK. */
function uploadText(ai: GoogleGenAI, text: string) {
  return ai.files.upload({
    file: new Blob([text], { type: 'text/plain' }),
    config: { mimeType: 'text/plain' },
  });
}

const keys = [behaviourKeys.dead, behaviourKeys.minuteQuota, behaviourKeys.healthyA];

describe('what the pool remembers', () => {
  test('after a restart a disabled key is still disabled and a cooldown still holds', async () => {
    const mock = await MockGemini.start();
    mock.override = keyBehaviours();
    const env = { GEMINI_API_KEYS: keys.join(',') };
    const first = await startService(mock.url, env);
    const ai = new GoogleGenAI({ apiKey: clientToken, httpOptions: { baseUrl: first.url } });
    for (let index = 0; index < 3; index++)
      await ai.models.generateContent({ model: minuteQuotaModel, contents: 'hi' });
    assert.equal(first.pool.get(fingerprintKey(behaviourKeys.dead))?.enabled, false);
    assert.ok(
      first.pool
        .get(fingerprintKey(behaviourKeys.minuteQuota))
        ?.cooling.some((entry) => entry.model === minuteQuotaModel),
    );
    await first.close();

    const second = await startService(mock.url, { ...env, DATA_DIR: first.dataDir });
    try {
      const dead = second.pool.get(fingerprintKey(behaviourKeys.dead));
      assert.equal(dead?.enabled, false);
      assert.equal(dead?.disabledReason, 'API_KEY_INVALID');
      const before = mock.received.length;
      const again = new GoogleGenAI({ apiKey: clientToken, httpOptions: { baseUrl: second.url } });
      for (let index = 0; index < 4; index++)
        await again.models.generateContent({ model: minuteQuotaModel, contents: 'hi' });
      const after = mock.received.slice(before);
      assert.equal(after.length, 4, 'every call went straight to the healthy key');
      assert.ok(after.every((request) => request.key === behaviourKeys.healthyA));
    } finally {
      await second.close();
      await mock.close();
    }
  });

  test('a dead key that works again is put back by the background re-check', async () => {
    let alive = false;
    await withService(
      {
        env: {
          GEMINI_API_KEYS: keys.join(','),
          KEY_RECHECK_INTERVAL_MS: '1000',
        },
        override: keyBehaviours({ deadKeyAlive: () => alive }),
      },
      async ({ mock, service }) => {
        const ai = new GoogleGenAI({ apiKey: clientToken, httpOptions: { baseUrl: service.url } });
        for (let index = 0; index < 3; index++)
          await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' });
        assert.equal(service.pool.get(fingerprintKey(behaviourKeys.dead))?.enabled, false);
        alive = true;
        await waitFor(() => service.pool.get(fingerprintKey(behaviourKeys.dead))?.enabled === true, {
          timeoutMs: 5000,
          intervalMs: 50,
        });
        assert.equal(service.pool.get(fingerprintKey(behaviourKeys.dead))?.enabled, true);
        const recheck = mock.received.filter((request) => request.key === behaviourKeys.dead).at(-1);
        assert.match(recheck?.url ?? '', /^\/v1beta\/models\?pageSize=1/);
      },
    );
  });

  test('a file uploaded through the service and then used in generateContent goes to the key that uploaded it', async () => {
    await withService({}, async ({ mock, service }) => {
      const ai = new GoogleGenAI({ apiKey: clientToken, httpOptions: { baseUrl: service.url } });
      const file = await uploadText(ai, 'Paris is the capital of France.');
      const uploader = mock.received.at(-1)?.key;
      for (let index = 0; index < 4; index++) {
        await ai.models.generateContent({
          model: 'gemini-2.5-flash',
          contents: [
            {
              role: 'user',
              parts: [
                { fileData: { fileUri: file.uri ?? '', mimeType: 'text/plain' } },
                { text: 'Summarise' },
              ],
            },
          ],
        });
        assert.equal(mock.received.at(-1)?.key, uploader, `call ${index} used the uploading key`);
      }
      await ai.files.get({ name: file.name ?? '' });
      assert.equal(mock.received.at(-1)?.key, uploader, 'files.get too');
      // Without a file reference, calls rotate over the pool as usual.
      const plain = new Set<string | undefined>();
      for (let index = 0; index < 3; index++) {
        await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' });
        plain.add(mock.received.at(-1)?.key);
      }
      assert.equal(plain.size, 3);
    });
  });

  test('a file uploaded natively and named in an OpenAI chat (file_id) goes to the key that uploaded it', async () => {
    await withService({}, async ({ mock, service }) => {
      const ai = new GoogleGenAI({ apiKey: clientToken, httpOptions: { baseUrl: service.url } });
      const file = await uploadText(ai, 'Paris.');
      const uploader = mock.received.at(-1)?.key;
      const openai = new OpenAI({ apiKey: clientToken, baseURL: `${service.url}/v1` });
      for (let index = 0; index < 3; index++) {
        await openai.chat.completions.create({
          model: 'gemini-2.5-flash',
          messages: [
            {
              role: 'user',
              content: [
                { type: 'file', file: { file_id: file.name ?? '' } },
                { type: 'text', text: 'Summarise' },
              ],
            },
          ],
        });
        assert.equal(mock.received.at(-1)?.key, uploader, `chat ${index} used the uploading key`);
      }
    });
  });

  test('an upload started on a dead key starts again on another, and its chunks follow the new key', async () => {
    await withService(
      {
        env: {
          GEMINI_API_KEYS: [behaviourKeys.dead, behaviourKeys.healthyA].join(','),
        },
        override: keyBehaviours(),
      },
      async ({ mock, service }) => {
        const ai = new GoogleGenAI({ apiKey: clientToken, httpOptions: { baseUrl: service.url } });
        const file = await uploadText(ai, 'Paris.');
        assert.match(file.name ?? '', /^files\//);
        const uploads = mock.received.filter((request) => request.url.startsWith('/upload/'));
        assert.deepEqual(
          uploads.map((request) => request.key === behaviourKeys.dead),
          [true, false, false],
          'start on the dead key, start again on the healthy one, then the bytes with it',
        );
      },
    );
  });

  test('a one-shot multipart upload passes through byte for byte, and its file stays with its key', async () => {
    await withService({}, async ({ mock, service }) => {
      const boundary = 'gb-boundary-42';
      const multipart = Buffer.from(
        `--${boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{"file":{"displayName":"p.txt"}}\r\n` +
          `--${boundary}\r\nContent-Type: text/plain\r\n\r\nParis \u00e9t\u00e9.\r\n--${boundary}--\r\n`,
      );
      const response = await fetch(`${service.url}/upload/v1beta/files?uploadType=multipart`, {
        method: 'POST',
        body: multipart,
        headers: {
          'x-goog-api-key': clientToken,
          'x-goog-upload-protocol': 'multipart',
          'content-type': `multipart/related; boundary=${boundary}`,
        },
      });
      assert.equal(response.status, 200);
      const file = ((await response.json()) as { file: { name: string; uri: string } }).file;
      const upload = mock.received.at(-1)!;
      assert.ok(upload.body.equals(multipart), 'the multipart body reached the upstream unchanged');
      for (let index = 0; index < 3; index++) {
        await nativeCall(
          service.url,
          'gemini-2.5-flash:generateContent',
          JSON.stringify({ contents: [{ parts: [{ fileData: { fileUri: file.uri } }] }] }),
        ).then((answer) => answer.arrayBuffer());
        assert.equal(mock.received.at(-1)?.key, upload.key);
      }
    });
  });
});
