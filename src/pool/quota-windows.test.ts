import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QuotaWindows } from './quota-windows.ts';
import { WindowLayout } from './window-layout.ts';

const limit = { limit: 3, windowMs: 60_000 };

/** A layout that never settles nor probes: the count stays safe for both shapes. */
class OpenLayout extends WindowLayout {
  override mayProbe(): boolean {
    return false;
  }
}

function safeCount(options: ConstructorParameters<typeof QuotaWindows>[0] = {}): QuotaWindows {
  return new QuotaWindows({ ...options, layout: new OpenLayout({ needed: Number.POSITIVE_INFINITY }) });
}

test('unknown (key, model) pairs are never cooled ahead of a 429', () => {
  const windows = new QuotaWindows({ marginMs: 0 });
  for (let index = 0; index < 100; index++) assert.equal(windows.onLease('k', 'm', index), undefined);
});

test('after a 429 the key has its whole limit when Gemini said it frees up, then each slot a window after its lease', () => {
  const windows = new QuotaWindows({ marginMs: 0, policy: 'sliding' });
  windows.onQuota('k', 'm', limit, 10_000, 0); // full until t = 10 s
  assert.equal(windows.onLease('k', 'm', 10_000), undefined, '1st');
  assert.equal(windows.onLease('k', 'm', 20_000), undefined, '2nd');
  assert.equal(windows.onLease('k', 'm', 30_000), 70_000, '3rd fills it until the 1st is a window old');
  assert.equal(windows.onLease('k', 'm', 70_000), 80_000, 'one slot freed: full again until the 2nd leaves');
  assert.equal(windows.onLease('k', 'm', 200_000), undefined, 'idle time frees every slot');
});

test('sliding: no window of the quota’s length, however aligned, holds more leases than the limit', () => {
  const windows = new QuotaWindows({ marginMs: 0, policy: 'sliding' });
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
  const windows = safeCount({ maxEntries: 2, marginMs: 0 });
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
  const windows = safeCount();
  windows.onQuota('k', 'm', { limit: 1, windowMs: 60_000 }, 1000, 0);
  assert.equal(windows.onLease('k', 'm', 1000), 61_300);
});

test('a compressed minute (benchmarks) scales the window; a margin widens it', () => {
  const windows = safeCount({ minuteMs: 4000, marginMs: 10 });
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

/** Leases after a 429 at 0 saying "free at 10 s" (limit 3 a minute); returns the last lease's answer. */
function afterQuota(windows: QuotaWindows, leases: number[]): number | undefined {
  windows.onQuota('k', 'm', limit, 10_000, 0);
  let answer: number | undefined;
  for (const at of leases) answer = windows.onLease('k', 'm', at);
  return answer;
}

test('shapes: a new window takes its whole limit at once where the sliding count releases one slot', () => {
  const spread = [10_000, 30_000, 68_000, 70_000, 70_001];
  assert.equal(afterQuota(new QuotaWindows({ marginMs: 0 }), [10_000, 30_000, 68_000]), 70_000);
  assert.equal(afterQuota(new QuotaWindows({ marginMs: 0 }), spread), undefined, 'two leases at 70 s');
  assert.equal(
    afterQuota(new QuotaWindows({ marginMs: 0 }), [...spread, 70_002]),
    130_000,
    'the third fills the window that opened at 70 s (both shapes)',
  );
  const sliding = new QuotaWindows({ marginMs: 0, policy: 'sliding' });
  assert.equal(afterQuota(sliding, [10_000, 30_000, 68_000, 70_000]), 90_000, 'sliding: one slot');
});

test('shapes: a 429 after a lease only the shapes allowed makes the count sliding for good', () => {
  const leases = [71_003, 120_000, 131_000, 131_003];
  const trusted = new QuotaWindows({ marginMs: 0 });
  afterQuota(trusted, [10_000, 30_000, 68_000, 70_000]);
  trusted.onQuota('k', 'm', limit, 1000, 70_003); // a 429 for a lease the sliding count allowed: no evidence
  const distrusted = new QuotaWindows({ marginMs: 0 });
  afterQuota(distrusted, [10_000, 30_000, 68_000, 70_000, 70_001]); // 70_001: only the shapes allowed it
  distrusted.onQuota('k', 'm', limit, 1000, 70_003);
  let trustedAnswer: number | undefined;
  let distrustedAnswer: number | undefined;
  for (const at of leases) {
    trustedAnswer = trusted.onLease('k', 'm', at);
    distrustedAnswer = distrusted.onLease('k', 'm', at);
  }
  assert.equal(trustedAnswer, undefined, 'a new window opened at 131.003 s');
  assert.equal(distrustedAnswer, 180_000, 'sliding: free when the lease at 120 s is a window old');
  distrusted.onQuota('k', 'm', limit, 1000, 200_000);
  assert.equal(afterQuotaAgain(distrusted), 290_000, 'still sliding after the next 429');
});

function afterQuotaAgain(windows: QuotaWindows): number | undefined {
  for (const at of [201_000, 230_000, 260_000]) windows.onLease('k', 'm', at);
  return windows.onLease('k', 'm', 261_000);
}

test('shapes: windows of either shape, anchored where the 429 said, never hold more than the limit', () => {
  const windowMs = 60_000;
  const marginMs = 300;
  let seed = 11;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (const trueEndBefore of [0, 250, 500, 750, 999, 0, 500, 999]) {
    const windows = safeCount({ marginMs });
    windows.onQuota('k', 'm', { limit: 5, windowMs }, 10_000, 0); // free at 10 s, really at 10 s − up to 1 s
    const trueEnd = 10_000 - trueEndBefore;
    let fullUntil = 10_000;
    const arrivals: number[] = [];
    // Mostly bursts (the key taken as soon as it is free), sometimes long gaps.
    for (let now = 10_000; now < 3_000_000; now += Math.floor(random() ** 4 * 20_000)) {
      if (now < fullUntil) continue;
      arrivals.push(now + random() * marginMs); // reaches Gemini up to a margin after it left
      fullUntil = windows.onLease('k', 'm', now) ?? now;
    }
    arrivals.sort((left, right) => left - right);
    assert.ok(arrivals.length > 80, `${arrivals.length} leases`);
    const phased = new Map<number, number>();
    for (const at of arrivals) {
      const index = Math.floor((at - trueEnd) / windowMs);
      phased.set(index, (phased.get(index) ?? 0) + 1);
    }
    assert.ok(Math.max(...phased.values()) <= 5, `phased: ${[...phased.values()]}`);
    let opened = Number.NEGATIVE_INFINITY;
    let used = 0;
    for (const at of arrivals) {
      if (at >= opened + windowMs) [opened, used] = [at, 0];
      used++;
      assert.ok(used <= 5, `first-call window opened at ${opened} holds ${used}`);
    }
  }
});

test('shapes: leases just before a window ends may have opened the next one, and count in it', () => {
  const windows = safeCount({ marginMs: 300 });
  windows.onQuota('k', 'm', limit, 10_000, 0); // free at 10 s; phased windows from there
  assert.equal(windows.onLease('k', 'm', 60_000), undefined, 'opens a first-call window until 120.3 s');
  windows.onLease('k', 'm', 119_800); // may reach Gemini after the window ended: then it opened the next
  assert.equal(windows.onLease('k', 'm', 119_801), 120_300);
  // The phased shape has room at 130 s; the first-call one holds the two leases of 119.8 s.
  assert.equal(windows.onLease('k', 'm', 130_000), 180_100, 'full: only the sliding count frees it');
});
