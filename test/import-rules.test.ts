import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { brokenRule, listSources, sourceEdges, unreachedFromMain } from './helpers/import-rules.ts';

const root = join(import.meta.dirname, '..');

describe('the layout (docs/ARCHITECTURE.md)', () => {
  test('no import breaks a rule', () => {
    const broken = sourceEdges(root).flatMap((edge) => {
      const rule = brokenRule(edge);
      return rule === undefined ? [] : [`${edge.from} -> ${edge.to}: ${rule}`];
    });
    assert.deepEqual(broken, []);
  });

  test('each rule catches the edge it forbids', () => {
    const forbiddenEdges = [
      ['src/upstream/upstream-client.ts', 'src/pool/key-pool.ts'],
      ['src/upstream/upstream-client.ts', 'src/store/database.ts'],
      ['src/upstream/upstream-client.ts', 'src/dispatch/dispatcher.ts'],
      ['src/upstream/upstream-client.ts', 'src/surfaces/native/forward-native.ts'],
      ['src/pool/key-pool.ts', 'src/upstream/upstream-client.ts'],
      ['src/pool/key-pool.ts', 'src/dispatch/dispatcher.ts'],
      ['src/pool/key-pool.ts', 'src/surfaces/openai/routes/chat-completions.ts'],
      ['src/store/database.ts', 'src/pool/key-pool.ts'],
      ['src/surfaces/openai/routes/openai-routes.ts', 'src/surfaces/native/forward-native.ts'],
      ['src/surfaces/native/forward-native.ts', 'src/surfaces/openai/translate/convert-models.ts'],
      ['src/dispatch/dispatcher.ts', 'src/app.ts'],
      ['src/routes/models.ts', 'src/create-service.ts'],
      ['src/gemini/usage.ts', 'src/pool/outcome.ts'],
      ['src/errors/app-error.ts', 'src/dispatch/call-record.ts'],
      ['src/config/config.ts', 'src/logging/logger.ts'],
      ['src/json/lenient-json.ts', 'src/upstream/read-bounded.ts'],
      ['src/secrets/fingerprint.ts', 'src/pool/lease.ts'],
      ['src/surfaces/openai/translate/convert-models.ts', 'test/helpers/read-fixture.ts'],
    ];
    for (const [from, to] of forbiddenEdges) {
      assert.ok(brokenRule({ from: from ?? '', to: to ?? '' }) !== undefined, `${from} -> ${to}`);
    }
    for (const [from, to] of [
      ['src/dispatch/dispatcher.ts', 'src/pool/key-pool.ts'],
      ['src/surfaces/native/forward-native.ts', 'src/dispatch/dispatcher.ts'],
      ['src/routes/models.ts', 'src/surfaces/native/forward-native.ts'],
      ['src/config/config.ts', 'src/auth/is-loopback-host.ts'],
      ['src/create-service.ts', 'src/app.ts'],
      ['src/main.ts', 'src/create-service.ts'],
    ]) {
      assert.equal(brokenRule({ from: from ?? '', to: to ?? '' }), undefined, `${from} -> ${to}`);
    }
  });

  test('every source file is part of the service: none is imported only by tests', () => {
    assert.deepEqual(unreachedFromMain(root), []);
  });

  test('no file under src/ is over 300 lines', () => {
    const long = listSources(root).filter(
      (file) => readFileSync(join(root, file), 'utf8').split('\n').length > 301,
    );
    assert.deepEqual(long, []);
  });
});
