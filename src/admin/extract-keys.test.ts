import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractKeys } from './extract-keys.ts';

test('keys are found in free text, deduplicated, and ordinary words are left alone', () => {
  const google = `AIza${'B'.repeat(20)}${'7'.repeat(15)}`;
  const text = `GEMINI_API_KEYS="${google},gbTESTkey-pasted000000000000000000000001"
    here are the keys of the configuration_variables_for_everyone team:
    ["gbTESTkey-pasted000000000000000000000001", "${google}"]
    prefix${google}suffix`;
  assert.deepEqual(extractKeys(text), [google, 'gbTESTkey-pasted000000000000000000000001']);
  assert.deepEqual(extractKeys('no keys here, just words and 12345'), []);
});
