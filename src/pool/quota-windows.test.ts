import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QuotaWindows } from './quota-windows.ts';

const limit = { limit: 3, windowMs: 60_000 };

test('unknown (key, model) pairs are never cooled ahead of a 429', () => {
  const windows = new QuotaWindows({ marginMs: 0 });
  for (let index = 0; index < 100; index++) assert.equal(windows.onLease('k', 'm', index), undefined);
});

test('after a 429 the key has its whole limit when Gemini said it frees up, then each slot a window after its lease', () => {
  const windows = new QuotaWindows({ marginMs: 0 });
  windows.onQuota('k', 'm', limit, 10_000, 0); // full until t = 10 s
  assert.equal(windows.onLease('k', 'm', 10_000), undefined, '1st');
  assert.equal(windows.onLease('k', 'm', 20_000), undefined, '2nd');
  assert.equal(windows.onLease('k', 'm', 30_000), 70_000, '3rd fills it until the 1st is a window old');
  assert.equal(windows.onLease('k', 'm', 70_000), 80_000, 'one slot freed: full again until the 2nd leaves');
  assert.equal(windows.onLease('k', 'm', 200_000), undefined, 'idle time frees every slot');
});

test('no window of the quota’s length, however aligned, holds more leases than the limit', () => {
  const windows = new QuotaWindows({ marginMs: 0 });
  const windowMs = 60_000;
  windows.onQuota('k', 'm', { limit: 5, windowMs }, 1000, 0);
  let fullUntil = 1000;
  const leases: number[] = [];
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let now = 0; now < 600_000; now += Math.floor(random() * 4000)) {
    if (now < fullUntil) continue; // the pool would not hand the key out
    leases.push(now);
    fullUntil = windows.onLease('k', 'm', now) ?? now;
  }
  assert.ok(leases.length > 40, `${leases.length} leases`);
  for (const start of leases) {
    const inside = leases.filter((at) => at >= start && at < start + windowMs).length;
    assert.ok(inside <= 5, `${inside} leases in the window opening at ${start}`);
  }
});

test('every 429 re-synchronises, with or without a stated limit', () => {
  const windows = new QuotaWindows({ marginMs: 0 });
  windows.onQuota('k', 'm', limit, 1000, 0);
  windows.onLease('k', 'm', 1500);
  windows.onQuota('k', 'm', undefined, 30_000, 2000); // Gemini says: full until 32 s
  assert.equal(windows.onLease('k', 'm', 32_000), undefined);
  windows.onLease('k', 'm', 32_001);
  assert.equal(windows.onLease('k', 'm', 32_002), 92_000);
});

test('windows are per key and per model; quotas without a stated limit teach nothing new', () => {
  const windows = new QuotaWindows({ marginMs: 0 });
  windows.onQuota('k', 'm', limit, 1000, 0);
  windows.onQuota('k', 'other', undefined, 1000, 0);
  windows.onLease('k', 'm', 2000);
  assert.equal(windows.onLease('k2', 'm', 2000), undefined);
  for (let index = 0; index < 5; index++) assert.equal(windows.onLease('k', 'other', 2000), undefined);
});

test('memory is bounded: the oldest limit goes first; paid-tier limits are not counted', () => {
  const windows = new QuotaWindows({ maxEntries: 2, marginMs: 0 });
  windows.onQuota('a', 'm', { limit: 1, windowMs: 60_000 }, 0, 0);
  windows.onQuota('b', 'm', { limit: 1, windowMs: 60_000 }, 0, 0);
  windows.onQuota('c', 'm', { limit: 1, windowMs: 60_000 }, 0, 0);
  assert.equal(windows.onLease('a', 'm', 1), undefined, 'a was forgotten');
  assert.equal(windows.onLease('c', 'm', 1), 60_001);
  windows.onQuota('d', 'm', { limit: 30_000, windowMs: 60_000 }, 0, 0);
  assert.deepEqual(windows.limitOf('d', 'm'), { limit: 30_000, windowMs: 60_000 }, 'learnt');
  assert.equal(windows.onLease('d', 'm', 1), undefined, 'not counted');
});

test('the default margin is half a percent of the window', () => {
  const windows = new QuotaWindows();
  windows.onQuota('k', 'm', { limit: 1, windowMs: 60_000 }, 1000, 0);
  assert.equal(windows.onLease('k', 'm', 1000), 61_300);
});

test('a compressed minute (benchmarks) scales the window; a margin widens it', () => {
  const windows = new QuotaWindows({ minuteMs: 4000, marginMs: 10 });
  windows.onQuota('k', 'm', { limit: 1, windowMs: 60_000 }, 1000, 0);
  assert.equal(windows.onLease('k', 'm', 1000), 5010);
  assert.deepEqual(windows.limitOf('k', 'm'), { limit: 1, windowMs: 60_000 });
});

test('a limit restored after a restart is counted from the first lease', () => {
  const windows = new QuotaWindows({ marginMs: 0 });
  windows.restore('k', 'm', { limit: 2, windowMs: 60_000 });
  assert.equal(windows.onLease('k', 'm', 0), undefined);
  assert.equal(windows.onLease('k', 'm', 1), 60_000);
});

test('an alias counts against the model Gemini named in its 429, and so do direct calls to that model', () => {
  const windows = new QuotaWindows({ marginMs: 0 });
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
