import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextPacificMidnight } from './next-pacific-midnight.ts';

const cases: ReadonlyArray<[string, string]> = [
  // Winter (PST, UTC-8).
  ['2026-01-15T12:00:00Z', '2026-01-16T08:00:00.000Z'],
  // Just before and just after a Pacific midnight.
  ['2026-01-16T07:59:59Z', '2026-01-16T08:00:00.000Z'],
  ['2026-01-16T08:00:00Z', '2026-01-17T08:00:00.000Z'],
  // Summer (PDT, UTC-7).
  ['2026-07-04T20:00:00Z', '2026-07-05T07:00:00.000Z'],
  // DST starts 2026-03-08 at 02:00 PST: the day before ends at 08:00Z, that day at 07:00Z.
  ['2026-03-07T20:00:00Z', '2026-03-08T08:00:00.000Z'],
  ['2026-03-08T12:00:00Z', '2026-03-09T07:00:00.000Z'],
  // DST ends 2026-11-01 at 02:00 PDT: midnight of Nov 1 is 07:00Z, of Nov 2 is 08:00Z.
  ['2026-10-31T23:00:00Z', '2026-11-01T07:00:00.000Z'],
  ['2026-11-01T10:00:00Z', '2026-11-02T08:00:00.000Z'],
  // Year boundary.
  ['2026-12-31T23:30:00Z', '2027-01-01T08:00:00.000Z'],
];

test('next Pacific midnight, across DST and year boundaries', () => {
  for (const [now, expected] of cases) {
    assert.equal(nextPacificMidnight(new Date(now)).toISOString(), expected, now);
  }
});

test('always strictly in the future and at most 25 hours away', () => {
  const start = Date.parse('2026-03-01T00:00:00Z');
  for (let instant = start; instant < start + 300 * 86_400_000; instant += 3_541_000) {
    const distance = nextPacificMidnight(new Date(instant)).getTime() - instant;
    assert.ok(distance > 0 && distance <= 25 * 3_600_000, new Date(instant).toISOString());
  }
});
