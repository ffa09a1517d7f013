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
