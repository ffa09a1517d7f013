import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasDotSegment } from './has-dot-segment.ts';

/** The definition, spelt out: escapes decoded, every separator a `/`, then split (the earlier implementation). */
function reference(url: string): boolean {
  const queryStart = url.indexOf('?');
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  const plain = path.replace(/%2e/gi, '.').replace(/%2f|%5c|\\/gi, '/');
  return plain.split('/').some((segment) => segment === '.' || segment === '..');
}

describe('hasDotSegment', () => {
  it('finds dot segments in every spelling', () => {
    for (const url of [
      '/v1beta/models/..',
      '/v1beta/./models',
      '/v1beta/models/%2e%2E/files',
      '/v1beta/models%2f..%2ffiles',
      '/v1beta/models%5C..',
      '/v1beta/models\\..\\files?alt=sse',
      '/v1beta/%2E?key=x',
      '/v1beta/models/gemini-2.5-flash/..',
      '/v1beta/models/gemini-2.5-flash/../files',
      '/v1beta/models/./gemini-2.5-flash:generateContent?alt=sse',
      '..',
      '.',
      './x',
      '/..?',
    ])
      assert.equal(hasDotSegment(url), true, url);
  });

  it('passes paths whose dots sit inside a segment, and dots in the query', () => {
    for (const url of [
      '/v1beta/models/gemini-2.5-flash:generateContent',
      '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&x=..',
      '/v1beta/models/gemini-2.5-flash:generateContent?x=/../&key=a.b',
      '/v1beta/models/gemini-2.5-flash:generateContent?%2e%2e',
      '/v1beta/models/gemini-2.5-flash:generateContent?a=\\..\\',
      '/v1beta/files/abc%20def',
      '/v1beta/models/a..b',
      '/v1beta/models/...',
      '/v1beta/models/.hidden',
      '/v1beta/models/..x',
      '/v1beta/models/x.',
      '/v1beta/models/gemini%2D2.5-flash:generateContent',
      '/v1beta/tunedModels/my.model\\x',
      '/',
      '',
    ])
      assert.equal(hasDotSegment(url), false, url);
  });

  it('agrees with the definition on every combination of a few awkward pieces', () => {
    const pieces = ['/', '.', '..', 'a', '%2e', '%2E', '%2f', '%5c', '\\', '?', 'x.y', '%20'];
    let checked = 0;
    const walk = (prefix: string, depth: number) => {
      assert.equal(hasDotSegment(prefix), reference(prefix), prefix);
      checked += 1;
      if (depth === 0) return;
      for (const piece of pieces) walk(prefix + piece, depth - 1);
    };
    walk('', 4);
    walk('/v1beta/models/', 3);
    assert.ok(checked > 20_000);
  });
});
