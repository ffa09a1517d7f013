import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QuotaWindows } from './quota-windows.ts';
import { WindowLayout } from './window-layout.ts';

const minute = 60_000;
const limit = { limit: 3, windowMs: minute };

test('layout: a window that opened while none of our calls left is evidence; enough make the windows phased', () => {
  const verdicts: string[] = [];
  const layout = new WindowLayout({ needed: 2, onVerdict: (verdict) => verdicts.push(verdict) });
  for (const at of [0, 20_000, 40_000]) layout.lease('a', at);
  layout.observe('a', 19_500, 20_001); // opened at 20 s: our lease of 20 s may have opened it
  layout.observe('unseen', 9_000, 10_001);
  assert.equal(layout.verdict, 'unknown');
  layout.observe('a', 9_000, 10_001); // opened at 10 s: no lease of ours then
  assert.equal(layout.verdict, 'unknown', 'one piece of evidence is not enough');
  for (const at of [0, 30_000]) layout.lease('b', at);
  layout.observe('b', -5_500, -4_999); // opened before our first lease: not by a call of ours
  assert.equal(layout.verdict, 'phased');
  layout.refute();
  layout.refute();
  assert.deepEqual(verdicts, ['phased', 'refuted'], 'one event per verdict');
  for (const at of [0, 20_000]) layout.lease('c', at);
  layout.observe('c', 9_000, 10_001);
  layout.observe('c', 9_000, 10_001);
  assert.equal(layout.verdict, 'refuted', 'for good');
});

test('layout: once older leases are forgotten, a window that opened before those remembered proves nothing', () => {
  const layout = new WindowLayout({ needed: 1 });
  for (let lease = 0; lease < 40; lease++) layout.lease('a', 100_000 + lease * 1000);
  layout.observe('a', 50_000, 50_001);
  assert.equal(layout.verdict, 'unknown');
  layout.observe('a', 120_500, 120_900);
  assert.equal(layout.verdict, 'phased', 'between two leases remembered');
});

test('layout: the remembered leases are bounded, and dropped once the verdict is in', () => {
  const layout = new WindowLayout({ maxPairs: 2, needed: 1 });
  for (const pair of ['a', 'b', 'c']) layout.lease(pair, 0);
  layout.observe('a', 9_000, 10_001);
  assert.equal(layout.verdict, 'unknown', 'the oldest pair was forgotten');
  layout.observe('c', 9_000, 10_001);
  assert.equal(layout.verdict, 'phased');
});

/** Gemini's windows open at 10 s + k minutes on keys a, b and c; each sees a lease at 0 s, then fills a window. */
function provePhased(windows: QuotaWindows, uncertaintyMs = 0): void {
  for (const key of ['a', 'b', 'c']) {
    for (const at of [0, 71_000, 72_000, 73_000, 74_000]) windows.onLease(key, 'm', at);
    windows.onQuota(key, 'm', limit, 130_000 - 74_000, 74_000, 'm', uncertaintyMs);
  }
}

test('phased windows, once proven, give a key its whole limit on each side of a boundary', () => {
  const windows = new QuotaWindows({ marginMs: 0 });
  provePhased(windows);
  assert.equal(windows.layout.verdict, 'phased');
  // Key a is full until 130 s (the window 70–130 s). Three calls just before 190 s, three just after.
  for (const at of [188_000, 189_000]) assert.equal(windows.onLease('a', 'm', at), undefined);
  assert.equal(windows.onLease('a', 'm', 189_500), 190_000, 'full until the next phased window');
  for (const at of [190_000, 190_001]) assert.equal(windows.onLease('a', 'm', at), undefined);
  assert.equal(windows.onLease('a', 'm', 190_002), 250_000);
  // Without the verdict, the first-call shape holds the key until the window opened at 188 s ends.
  const unsure = new QuotaWindows({ marginMs: 0, layout: new WindowLayout({ needed: 4 }) });
  provePhased(unsure);
  for (const at of [188_000, 189_000, 189_500]) unsure.onLease('a', 'm', at);
  assert.equal(unsure.layout.verdict, 'unknown');
  assert.equal(unsure.onLease('a', 'm', 190_000), 248_000, 'both shapes: full until 248 s');
});

test('an end known only to the second keeps a second clear of the phased boundary', () => {
  const rounded = new QuotaWindows({ marginMs: 0 });
  provePhased(rounded, 1000);
  assert.equal(rounded.layout.verdict, 'phased');
  const precise = new QuotaWindows({ marginMs: 0 });
  provePhased(precise, 0);
  for (const at of [189_200, 189_300]) {
    rounded.onLease('a', 'm', at);
    precise.onLease('a', 'm', at);
  }
  assert.equal(
    rounded.onLease('a', 'm', 189_400),
    249_200,
    'the boundary may be at 189 s: 189.2 s may be in the next window, full until the sliding count frees it',
  );
  assert.equal(precise.onLease('a', 'm', 189_400), 190_000, 'precise: the boundary is at 190 s');
});

test('a 429 after a lease only the phased layout allowed refutes it: back to the safe count', () => {
  const windows = new QuotaWindows({ marginMs: 0 });
  provePhased(windows);
  for (const at of [188_000, 189_000, 189_500, 190_000]) windows.onLease('a', 'm', at);
  windows.onQuota('a', 'm', limit, 58_000, 190_001); // Gemini disagrees: its window opened at 188 s
  assert.equal(windows.layout.verdict, 'refuted');
  for (const at of [248_001, 300_000]) windows.onLease('a', 'm', at);
  assert.equal(windows.onLease('a', 'm', 301_000), 308_001, 'first-call windows now: until 308 s');
  for (const at of [400_000, 401_000]) windows.onLease('b', 'm', at);
  assert.equal(windows.onLease('b', 'm', 402_000), 460_000, 'every key: not 430 s, the verdict was shared');
});

test('windows that open at our calls never prove a phased layout', () => {
  const windows = new QuotaWindows({ marginMs: 0 });
  for (const key of ['a', 'b', 'c', 'd']) {
    // Gemini's window opened at our lease of 70 s; its end comes back 150 ms late (the round trip).
    for (const at of [0, 70_000, 71_000, 72_000, 73_000]) windows.onLease(key, 'm', at);
    windows.onQuota(key, 'm', limit, 130_150 - 73_000, 73_000, 'm', 0);
  }
  assert.equal(windows.layout.verdict, 'unknown');
});

test('the sliding count never judges the layout', () => {
  const windows = new QuotaWindows({ marginMs: 0, policy: 'sliding' });
  provePhased(windows);
  assert.equal(windows.layout.verdict, 'unknown');
});

/** Keys a and b after a 429 saying "free at 10 s" (phased boundaries at 70 s, 130 s…), each filling a first-call window at 60 s. */
function filledAt60(windows: QuotaWindows): Array<number | undefined> {
  const answers: Array<number | undefined> = [];
  for (const key of ['a', 'b']) {
    windows.onQuota(key, 'm', limit, 10_000, 0, 'm', 0);
    for (const at of [60_000, 61_000, 62_000]) answers.push(windows.onLease(key, 'm', at));
  }
  return answers;
}

test('probe: one key at a time is free at the phased boundary; its call, once accepted, proves phased windows', () => {
  const windows = new QuotaWindows({ marginMs: 0 });
  const answers = filledAt60(windows);
  assert.equal(answers[2], 70_000, 'a may probe at the phased boundary');
  assert.equal(answers[5], 120_000, 'b waits for the first-call window: a holds the probe');
  assert.equal(
    windows.onLease('a', 'm', 70_000),
    120_000,
    'the probe left: a is full until both shapes agree',
  );
  for (let answer = 0; answer < 3; answer++) windows.onAnswer('a', 'm', 'ok'); // the calls of 60–62 s
  assert.equal(windows.layout.verdict, 'unknown', 'the probe has not answered yet');
  windows.onAnswer('a', 'm', 'ok');
  assert.equal(windows.layout.verdict, 'phased');
  for (const at of [70_000, 70_001]) windows.onLease('b', 'm', at);
  assert.equal(windows.onLease('b', 'm', 70_002), 130_000, 'b fills its phased window too');
});

test('probe: a 429 refutes phased windows for good; a 5xx proves nothing and another key may probe', () => {
  const refuted = new QuotaWindows({ marginMs: 0 });
  filledAt60(refuted);
  refuted.onLease('a', 'm', 70_000);
  refuted.onQuota('a', 'm', undefined, 50_000, 70_001, 'm', 0); // the first-call window ends at 120 s
  assert.equal(refuted.layout.verdict, 'refuted');
  const voided = new QuotaWindows({ marginMs: 0 });
  filledAt60(voided);
  voided.onLease('a', 'm', 70_000);
  for (let answer = 0; answer < 3; answer++) voided.onAnswer('a', 'm', 'ok');
  voided.onAnswer('a', 'm', 'other'); // the probe: 503
  assert.equal(voided.layout.verdict, 'unknown');
  for (const at of [121_000, 122_000]) voided.onLease('b', 'm', at);
  assert.equal(voided.onLease('b', 'm', 123_000), 130_000, 'b may probe now');
});

test('probe: only where the shapes differ by more than a round trip (else a first-call window could accept it)', () => {
  const freeAfter = (first: number) => {
    const windows = new QuotaWindows({ marginMs: 0 });
    windows.onQuota('a', 'm', limit, 10_000, 0, 'm', 0);
    for (const at of [first, first + 100]) windows.onLease('a', 'm', at);
    return windows.onLease('a', 'm', first + 200);
  };
  assert.equal(freeAfter(10_200), 70_200, 'the phased boundary is 200 ms before: no probe');
  assert.equal(freeAfter(12_000), 70_000, 'two seconds before: a probe');
});

/**
 * Free at 10 s (phased boundaries at 70 s, 130 s…); a first-call window from 65 s whose last call
 * left late (124 s), the next one opened at 126 s: phased windows would hold 124, 126, 127 s.
 */
function lateCallThenNewWindow(windows: QuotaWindows, key: string): Array<number | undefined> {
  windows.onQuota(key, 'm', limit, 10_000, 0, 'm', 0);
  return [65_000, 66_000, 124_000, 126_000, 127_000].map((at) => windows.onLease(key, 'm', at));
}

test('first-call probe: a call phased windows would surely refuse, once accepted, refutes them; each key then fills its first-call windows', () => {
  const windows = new QuotaWindows({ marginMs: 0 });
  const answers = lateCallThenNewWindow(windows, 'a');
  assert.equal(answers[4], undefined, 'the first-call window has room: a probes now, not at 130 s');
  assert.equal(windows.onLease('a', 'm', 127_500), 186_000, 'the probe left: full until its window ends');
  for (let answer = 0; answer < 5; answer++) windows.onAnswer('a', 'm', 'ok');
  assert.equal(windows.layout.verdict, 'unknown', 'the probe has not answered yet');
  windows.onAnswer('a', 'm', 'ok');
  assert.equal(windows.layout.verdict, 'refuted');
  const other = lateCallThenNewWindow(windows, 'b');
  assert.equal(other[4], undefined, 'b fills its first-call window too');
  assert.equal(windows.onLease('b', 'm', 127_500), 186_000);
  const held = new QuotaWindows({ marginMs: 0 });
  lateCallThenNewWindow(held, 'a'); // a holds the probe
  assert.equal(lateCallThenNewWindow(held, 'b')[4], 130_000, 'one probe at a time: b waits for both shapes');
});

test('first-call probe: a 429 refutes nothing and ends first-call probes', () => {
  const windows = new QuotaWindows({ marginMs: 0 });
  lateCallThenNewWindow(windows, 'a');
  windows.onLease('a', 'm', 127_500);
  windows.onQuota('a', 'm', limit, 2_500, 127_501, 'm', 0); // phased after all: the window ends at 130 s
  assert.equal(windows.layout.verdict, 'unknown');
  assert.equal(lateCallThenNewWindow(windows, 'b')[4], 130_000, 'no more first-call probes');
});
