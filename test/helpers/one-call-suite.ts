// A one-test suite the test-run hygiene test (test/test-run-hygiene.test.ts) runs under the global
// setup in a child process: a service in front of the mock, one call. Not named *.test.ts, so the
// main run does not pick it up by itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nativeCall } from './native-call.ts';
import { withService } from './with-service.ts';

test('one generateContent call through the service', async () => {
  await withService({}, async ({ service }) => {
    const response = await nativeCall(service.url, 'gemini-2.5-flash:generateContent', '{"contents":[]}');
    assert.equal(response.status, 200);
    await response.arrayBuffer();
  });
});
