import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fingerprintKey } from '../secrets/fingerprint.ts';
import { openDatabase } from './database.ts';
import { RuntimeKeyStore } from './runtime-key-store.ts';

const secret = 'gbTESTkey-runtimeADDED000000000000000001';

test('added keys are sealed with AES-256-GCM: never in clear on disk, readable only with the same ENCRYPTION_KEY', () => {
  const database = openDatabase(':memory:');
  const store = new RuntimeKeyStore(database, 'an operator secret of some length');
  assert.equal(store.persistent, true);
  store.save(secret);
  const row = database.prepare('SELECT * FROM runtime_key').get() ?? {};
  assert.equal(row.fingerprint, fingerprintKey(secret));
  assert.ok(
    !Buffer.from(row.ciphertext as Uint8Array)
      .toString('latin1')
      .includes(secret),
  );
  assert.deepEqual(store.load(), { secrets: [secret], unreadable: [] });
  assert.deepEqual(new RuntimeKeyStore(database, 'another operator secret').load(), {
    secrets: [],
    unreadable: [fingerprintKey(secret)],
  });
  store.remove(fingerprintKey(secret));
  assert.deepEqual(store.load(), { secrets: [], unreadable: [] });
});

test('without ENCRYPTION_KEY added keys stay in memory only', () => {
  const database = openDatabase(':memory:');
  const store = new RuntimeKeyStore(database, undefined);
  assert.equal(store.persistent, false);
  store.save(secret);
  assert.deepEqual(store.load().secrets, [secret]);
  assert.equal(database.prepare('SELECT count(*) AS count FROM runtime_key').get()?.count, 0);
  assert.deepEqual(new RuntimeKeyStore(database, undefined).load().secrets, []);
  store.setNote('key_x', 'team A');
  assert.equal(store.notes().get('key_x'), 'team A');
});
