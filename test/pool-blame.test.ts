import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fingerprintKey } from '../src/secrets/fingerprint.ts';
import { nativeCall } from './helpers/native-call.ts';
import { clientToken, poolKeys } from './helpers/secrets.ts';
import { withService } from './helpers/with-service.ts';
import { quotaBody } from './mock-upstream/key-behaviours.ts';
import { replyWith } from './mock-upstream/mock-gemini.ts';

const flash = 'gemini-2.5-flash';
const perMinute = 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier';
const body = '{"contents":[{"parts":[{"text":"hi"}]}]}';

describe('what a client cannot choose', () => {
  test("a client's X-Goog-User-Project, Referer and app identity never reach the upstream", async () => {
    await withService({}, async ({ mock, service }) => {
      const response = await fetch(`${service.url}/v1beta/models/${flash}:generateContent`, {
        method: 'POST',
        body,
        headers: {
          'x-goog-api-key': clientToken,
          'content-type': 'application/json',
          'x-goog-user-project': 'someone-elses-project',
          referer: 'https://blocked.example/',
          'x-android-package': 'com.example.app',
          'x-android-cert': 'AB:CD',
          'x-ios-bundle-identifier': 'com.example.ios',
          'x-goog-api-client': 'google-genai-sdk/1.0.0',
        },
      });
      assert.equal(response.status, 200);
      await response.arrayBuffer();
      const seen = mock.received.at(-1)?.headers ?? {};
      for (const name of [
        'x-goog-user-project',
        'referer',
        'x-android-package',
        'x-android-cert',
        'x-ios-bundle-identifier',
      ])
        assert.equal(seen[name], undefined, `${name} reached the upstream`);
      assert.equal(
        seen['x-goog-api-client'],
        'google-genai-sdk/1.0.0',
        'what a Gemini client needs still goes',
      );
      assert.equal(seen['content-type'], 'application/json');
    });
  });
});

describe('delays from upstream', () => {
  test('an absurd retryDelay is clamped to 48 hours: a 429 with Retry-After, memory and store agree', async () => {
    const model = 'gemini-absurd-delay';
    await withService(
      { override: replyWith(429, quotaBody(model, perMinute, 99_999_999_999_999)) },
      async ({ service }) => {
        const response = await nativeCall(service.url, `${model}:generateContent`, body);
        assert.equal(response.status, 429);
        await response.arrayBuffer();
        const again = await nativeCall(service.url, `${model}:generateContent`, body);
        assert.equal(again.status, 429);
        const retryAfter = Number(again.headers.get('retry-after'));
        assert.ok(retryAfter > 0 && retryAfter <= 48 * 3600, `Retry-After ${retryAfter}`);
        await again.arrayBuffer();
        const longest = Date.now() + 48 * 3600_000;
        for (const key of poolKeys) {
          const cooling = service.pool.get(fingerprintKey(key))?.cooling ?? [];
          assert.equal(cooling.length, 1);
          assert.ok((cooling[0]?.until ?? 0) <= longest);
        }
      },
    );
  });
});
