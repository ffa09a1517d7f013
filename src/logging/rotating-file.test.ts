import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createRotatingFile } from './rotating-file.ts';

test('rotates by size, keeping the live name and at most N old files', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'gb-log-')), 'app.log');
  const file = createRotatingFile(path, 100, 2);
  for (let index = 0; index < 10; index++) file.write(`${`line ${index} `.padEnd(40, '.')}\n`);
  await new Promise<void>((resolve) => file.end(resolve));
  assert.ok(existsSync(`${path}.1`));
  assert.ok(existsSync(`${path}.2`));
  assert.ok(!existsSync(`${path}.3`), 'older files beyond the limit are dropped');
  const live = readFileSync(path, 'utf8');
  assert.match(live, /line 9/);
  assert.ok(live.length <= 100);
  assert.match(readFileSync(`${path}.1`, 'utf8'), /line 7/);
});
