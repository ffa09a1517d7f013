import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasDotSegment } from './has-dot-segment.ts';

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
    ])
      assert.equal(hasDotSegment(url), true, url);
  });

  it('passes paths whose dots sit inside a segment, and dots in the query', () => {
    for (const url of [
      '/v1beta/models/gemini-2.5-flash:generateContent',
      '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&x=..',
      '/v1beta/files/abc%20def',
      '/v1beta/models/a..b',
      '/',
    ])
      assert.equal(hasDotSegment(url), false, url);
  });
});
