import { after, before } from 'node:test';
import { MockGemini, type Override } from '../mock-upstream/mock-gemini.ts';
import { type RunningService, startService } from './start-service.ts';

export type TestBed = { mock: MockGemini; service: RunningService };

/**
 * A fresh mock upstream (answering as `override` says, else from the recorded fixtures) and a
 * service in front of it, both closed when `run` ends, whether it passed or not.
 */
export async function withService(
  setup: { env?: Record<string, string>; override?: Override },
  run: (bed: TestBed) => Promise<void>,
): Promise<void> {
  const mock = await MockGemini.start();
  mock.override = setup.override;
  const service = await startService(mock.url, setup.env);
  try {
    await run({ mock, service });
  } finally {
    await service.close();
    await mock.close();
  }
}

/**
 * The describe-level form of `withService`: a mock upstream and a service in front of it, started
 * before the suite's first test and closed after its last. Read `bed.mock` and `bed.service` in tests.
 */
export function useMockAndService(
  setup: { env?: Record<string, string>; override?: Override } = {},
): TestBed {
  let running: TestBed | undefined;
  before(async () => {
    const mock = await MockGemini.start();
    mock.override = setup.override;
    running = { mock, service: await startService(mock.url, setup.env) };
  });
  after(async () => {
    await running?.service.close();
    await running?.mock.close();
  });
  const started = (): TestBed => {
    if (running === undefined) throw new Error('the mock and service run only inside their describe');
    return running;
  };
  return {
    get mock() {
      return started().mock;
    },
    get service() {
      return started().service;
    },
  };
}
