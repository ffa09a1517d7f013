import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toOriginForm } from './origin-form.ts';

test('absolute-form targets lose their scheme and host; origin-form ones are untouched', () => {
  assert.equal(toOriginForm('/v1beta/models?x=1'), '/v1beta/models?x=1');
  assert.equal(toOriginForm('http://evil.example/v1beta/models?x=1'), '/v1beta/models?x=1');
  assert.equal(toOriginForm('HTTPS://user@evil.example:8443/v1/models'), '/v1/models');
  assert.equal(toOriginForm('http://evil.example?key=1'), '/?key=1');
  assert.equal(toOriginForm('http://evil.example'), '/');
  assert.equal(toOriginForm('*'), '*');
});
