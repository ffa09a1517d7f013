import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QuotaWindows } from './quota-windows.ts';

const limit = { limit: 3, windowMs: 60_000 };

test('unknown (key, model) pairs are never cooled ahead of a 429', () => {
  const windows = new QuotaWindows();
  for (let index = 0; index < 100; index++) assert.equal(windows.onLease('k', 'm', index), undefined);
});

test('after a 429 the window is counted: the limit-th lease of the next window says the key is full until its end', () => {
  const windows = new QuotaWindows();
  windows.onQuota('k', 'm', limit, 10_000, 0); // full until t = 10 s
  assert.equal(windows.onLease('k', 'm', 10_000), undefined, 'window 10 s–70 s: 1st');
  assert.equal(windows.onLease('k', 'm', 20_000), undefined, '2nd');
  assert.equal(windows.onLease('k', 'm', 30_000), 70_000, '3rd fills it');
  assert.equal(windows.onLease('k', 'm', 75_000), undefined, 'next window 70 s–130 s starts afresh');
  assert.equal(windows.onLease('k', 'm', 200_000), undefined, 'windows skipped while idle are rolled over');
  assert.equal(windows.onLease('k', 'm', 200_001), undefined);
  assert.equal(windows.onLease('k', 'm', 200_002), 250_000, 'window 190 s–250 s');
});

test('windows are per key and per model; quotas without a stated limit teach nothing', () => {
  const windows = new QuotaWindows();
  windows.onQuota('k', 'm', limit, 1000, 0);
  windows.onQuota('k', 'other', undefined, 1000, 0);
  windows.onLease('k', 'm', 2000);
  assert.equal(windows.onLease('k2', 'm', 2000), undefined);
  for (let index = 0; index < 5; index++) assert.equal(windows.onLease('k', 'other', 2000), undefined);
});

test('a 429 inside a window we thought had room re-synchronises it', () => {
  const windows = new QuotaWindows();
  windows.onQuota('k', 'm', limit, 1000, 0);
  windows.onLease('k', 'm', 1500);
  windows.onQuota('k', 'm', limit, 30_000, 2000); // Gemini says: full until 32 s
  assert.equal(windows.onLease('k', 'm', 32_000), undefined);
  windows.onLease('k', 'm', 32_001);
  assert.equal(windows.onLease('k', 'm', 32_002), 92_000);
});

test('memory is bounded: the oldest window goes first', () => {
  const windows = new QuotaWindows({ maxEntries: 2 });
  windows.onQuota('a', 'm', { limit: 1, windowMs: 60_000 }, 0, 0);
  windows.onQuota('b', 'm', { limit: 1, windowMs: 60_000 }, 0, 0);
  windows.onQuota('c', 'm', { limit: 1, windowMs: 60_000 }, 0, 0);
  assert.equal(windows.onLease('a', 'm', 1), undefined, 'a was forgotten');
  assert.equal(windows.onLease('c', 'm', 1), 60_000);
});

test('a compressed minute (benchmarks) scales the window', () => {
  const windows = new QuotaWindows({ minuteMs: 4000 });
  windows.onQuota('k', 'm', { limit: 1, windowMs: 60_000 }, 1000, 0);
  assert.equal(windows.onLease('k', 'm', 1000), 5000);
});

test('an alias counts against the model Gemini named in its 429, and so do direct calls to that model', () => {
  const windows = new QuotaWindows();
  windows.onQuota('k', 'gemini-flash-latest', { limit: 2, windowMs: 60_000 }, 1000, 0, 'gemini-2.5-flash');
  assert.equal(windows.quotaModel('gemini-flash-latest'), 'gemini-2.5-flash');
  assert.equal(windows.onLease('k', 'gemini-flash-latest', 1000), undefined);
  assert.equal(
    windows.onLease('k', 'gemini-2.5-flash', 1001),
    61_000,
    'the second call in the window, by either name',
  );
});

test('what was learnt is listed per key, for the admin page', () => {
  const windows = new QuotaWindows({ minuteMs: 6000 });
  windows.onQuota('k', 'a', { limit: 5, windowMs: 60_000 }, 1000, 0);
  windows.onQuota('k', 'b', { limit: 9, windowMs: 60_000 }, 1000, 0);
  windows.onQuota('j', 'a', undefined, 1000, 0);
  assert.deepEqual(
    windows.learnt(),
    new Map([
      [
        'k',
        [
          { model: 'a', limit: 5, windowMs: 6000 },
          { model: 'b', limit: 9, windowMs: 6000 },
        ],
      ],
    ]),
  );
});
