import { readFileSync } from 'node:fs';

/** Test support: the recorded Gemini fixtures in test/fixtures/gemini, read byte-exact. */
const directory = new URL('../fixtures/gemini/', import.meta.url);

export function readFixtureBytes(name: string): Buffer {
  return readFileSync(new URL(name, directory));
}

export function readFixtureJson(name: string): unknown {
  return JSON.parse(readFixtureBytes(name).toString('utf8'));
}
