import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modelFromPath } from './model-from-path.ts';

/** The definition (the earlier implementation). */
function reference(path: string): string | undefined {
  const match = /\/(?:models|tunedModels)\/([^/:?]+)/.exec(path);
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
}

test('the model is read from the path, URL-escaped names decoded', () => {
  for (const [path, model] of [
    ['/v1beta/models/gemini-2.5-flash:generateContent', 'gemini-2.5-flash'],
    ['/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=a/models/b', 'gemini-2.5-flash'],
    ['/v1beta/tunedModels/my-model:generateContent', 'my-model'],
    ['/v1beta/models/gemini%2D2.5-flash:generateContent', 'gemini-2.5-flash'],
    ['/v1beta/models/my%20model', 'my model'],
    ['/v1beta/models/gemini-2.5-pro', 'gemini-2.5-pro'],
    ['/v1beta/models/gemini-2.5-pro?x=1', 'gemini-2.5-pro'],
    ['/v1beta/models/:x/models/second', 'second'],
    ['/v1beta/tunedModels//models/after-empty', 'after-empty'],
    ['/v1beta/models/a/tunedModels/b', 'a'],
    ['/v1beta/tunedModels/t/models/m', 't'],
    ['/v1beta/batches/x?name=/models/q', 'q'],
  ] as const)
    assert.equal(modelFromPath(path), model, path);
  for (const path of [
    '/v1beta/files/abc',
    '/v1beta/models',
    '/v1beta/models/',
    '/v1beta/models?x=/',
    '/v1beta/Models/x',
  ])
    assert.equal(modelFromPath(path), undefined, path);
  assert.throws(() => modelFromPath('/v1beta/models/%E0:generateContent'), URIError);
});

test('agrees with the definition on every combination of a few awkward pieces', () => {
  const pieces = ['/models/', '/tunedModels/', 'm', '%41', ':', '?', '/', 'models', '.'];
  let checked = 0;
  const walk = (prefix: string, depth: number) => {
    assert.equal(modelFromPath(prefix), reference(prefix), prefix);
    checked += 1;
    if (depth > 0) for (const piece of pieces) walk(prefix + piece, depth - 1);
  };
  walk('/v1beta', 4);
  assert.ok(checked > 5_000);
});
