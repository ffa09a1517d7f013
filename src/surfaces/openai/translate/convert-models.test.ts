import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFixtureJson } from '../../../../test/helpers/read-fixture.ts';
import { convertModel, convertModelList } from './convert-models.ts';

const list = readFixtureJson('list-models.json') as { models: Array<{ name: string }> };

describe('convertModelList', () => {
  it('lists every recorded model without the models/ prefix', () => {
    const converted = convertModelList(list);
    assert.equal(converted.object, 'list');
    assert.equal(converted.data.length, list.models.length);
    assert.deepEqual(
      converted.data.map((model) => model.id),
      list.models.map((model) => model.name.slice('models/'.length)),
    );
    assert.deepEqual(converted.data[0], {
      id: 'gemini-2.5-flash',
      object: 'model',
      created: 0,
      owned_by: 'google',
    });
  });

  it('converts one model resource', () => {
    assert.equal(convertModel(list.models[1]).id, list.models[1]?.name.replace('models/', ''));
  });

  it('refuses an unreadable list with a 502', () => {
    assert.throws(() => convertModelList({ models: [{ displayName: 'x' }] }), { status: 502 });
  });
});
