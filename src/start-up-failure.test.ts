import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { explainStartUpFailure } from './start-up-failure.ts';

const context = {
  host: '0.0.0.0',
  port: 80,
  logFile: 'logs/app.log',
  dataDir: 'data',
  databaseFile: 'data/gemini-balance.db',
};

function systemError(code: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(code), { code, ...extra });
}

test('listening failures name the address and the setting to change', () => {
  assert.match(
    explainStartUpFailure(systemError('EACCES', { syscall: 'listen' }), context) ?? '',
    /^Listening on 0\.0\.0\.0:80 is not allowed .* set PORT to 1024 or above\.$/,
  );
  assert.match(
    explainStartUpFailure(systemError('EADDRNOTAVAIL', { syscall: 'listen' }), context) ?? '',
    /^HOST 0\.0\.0\.0 is not an address of this machine: set HOST/,
  );
});

test('a folder that cannot be written names the folder and its setting', () => {
  const logs = explainStartUpFailure(systemError('EACCES', { path: 'logs' }), context) ?? '';
  assert.match(logs, new RegExp(`log file ${resolve('logs/app.log')} cannot be written \\(EACCES\\)`));
  assert.match(logs, /set LOG_FILE/);
  const data = explainStartUpFailure(systemError('EROFS', { path: 'data' }), context) ?? '';
  assert.match(data, /data folder .* cannot be written \(read-only file system\).* set DATA_DIR/);
});

test('SQLite failures: locked, unwritable, damaged', () => {
  const sqlite = (errcode: number) => systemError('ERR_SQLITE_ERROR', { errcode });
  assert.match(explainStartUpFailure(sqlite(5), context) ?? '', /is locked by another process/);
  assert.match(explainStartUpFailure(sqlite(14), context) ?? '', /is not writable for this user/);
  assert.match(explainStartUpFailure(sqlite(26), context) ?? '', /is damaged or not an SQLite file/);
});

test('anything else is a bug, not the environment: no sentence, the trace stays', () => {
  assert.equal(explainStartUpFailure(new TypeError('x is undefined'), context), undefined);
  assert.equal(explainStartUpFailure(systemError('ERR_SQLITE_ERROR', { errcode: 1 }), context), undefined);
  assert.equal(explainStartUpFailure(systemError('EACCES', { path: '/elsewhere' }), context), undefined);
  assert.equal(explainStartUpFailure('not an error', context), undefined);
});
