import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import { PlainCounter, PlainHistogram } from './plain-metrics.ts';

test('plain counters and histograms scrape as the same text as prom-client’s own', async () => {
  const buckets = [0.005, 0.1, 1, 10];
  const ours = new Registry();
  const theirs = new Registry();
  const counter = { name: 'requests_total', help: 'Requests.', labelNames: ['surface', 'model', 'status'] };
  const histogram = { name: 'duration_seconds', help: 'Time.', labelNames: ['surface'], buckets };
  const plainCounter = new PlainCounter(ours, counter);
  const plainHistogram = new PlainHistogram(ours, histogram);
  const promCounter = new Counter({ ...counter, registers: [theirs] });
  const promHistogram = new Histogram({ ...histogram, registers: [theirs] });
  const calls: Array<[string, string, string, number, number]> = [
    ['native', 'gemini-2.5-flash', '200', 1, 0.004],
    ['native', 'gemini-2.5-flash', '200', 1, 0.1],
    ['openai', 'gemini-2.5-pro', '429', 1, 0.7],
    ['native', 'gemini-2.5-flash', '200', 3, 12],
    ['openai', 'say "hi"\\', '500', 1, 1],
  ];
  for (const [surface, model, status, amount, seconds] of calls) {
    plainCounter.inc(amount, surface, model, status);
    promCounter.inc({ surface, model, status }, amount);
    plainHistogram.observe(seconds, surface);
    promHistogram.observe({ surface }, seconds);
  }
  assert.equal(await ours.metrics(), await theirs.metrics());
  // The same samples as JSON too (prom-client adds exemplar fields, which we do not keep).
  const withoutExemplars = (metrics: unknown) =>
    JSON.parse(JSON.stringify(metrics, (key, value) => (key === 'exemplar' ? undefined : value)));
  assert.deepEqual(
    withoutExemplars(await ours.getMetricsAsJSON()),
    withoutExemplars(await theirs.getMetricsAsJSON()),
  );
});
