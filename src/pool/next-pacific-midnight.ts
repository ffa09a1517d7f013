/** Gemini's per-day quotas reset at midnight Pacific time (which moves with daylight saving). */
const quotaTimeZone = 'America/Los_Angeles';

// Building a formatter is costly; one shared instance is enough (formatToParts is pure). Made on
// first use: its time-zone data takes about 7 MiB, which a service that never meets a daily quota
// need not hold.
let wallClock: Intl.DateTimeFormat | undefined;
function pacificFormatter(): Intl.DateTimeFormat {
  wallClock ??= new Intl.DateTimeFormat('en-US', {
    timeZone: quotaTimeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  return wallClock;
}

/** The Pacific wall-clock reading of an instant, expressed as if that reading were UTC. */
function wallClockAsUtc(instant: number): number {
  const fields = new Map<string, number>();
  for (const part of pacificFormatter().formatToParts(instant)) {
    if (part.type !== 'literal') fields.set(part.type, Number(part.value));
  }
  const field = (name: string): number => fields.get(name) ?? 0;
  return Date.UTC(
    field('year'),
    field('month') - 1,
    field('day'),
    field('hour'),
    field('minute'),
    field('second'),
  );
}

/** Pacific offset from UTC in ms at an instant (negative: -8h in winter, -7h in summer). */
function pacificOffset(instant: number): number {
  return wallClockAsUtc(instant) - Math.floor(instant / 1000) * 1000;
}

/** The first instant after `now` at which it is 00:00 in America/Los_Angeles. */
export function nextPacificMidnight(now: Date): Date {
  const today = new Date(wallClockAsUtc(now.getTime()));
  const midnightWall = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 1);
  // The offset at a guess may differ from the offset at midnight only across a DST switch;
  // a second pass with the offset at the guessed instant settles it.
  const guess = midnightWall - pacificOffset(midnightWall);
  return new Date(midnightWall - pacificOffset(guess));
}
