import { anthropicPaths } from './anthropic-paths.ts';
import { geminiSchemas } from './gemini-schemas.ts';
import { mediaPaths } from './media-paths.ts';
import { nativePaths } from './native-paths.ts';
import { openaiPaths } from './openai-paths.ts';
import type { OpenApiObject } from './operation.ts';
import { responsesPaths } from './responses-paths.ts';

/** The operations documented by hand, every catalogue of this folder in one. */
export const handWrittenPaths: OpenApiObject = {
  ...nativePaths,
  ...openaiPaths,
  ...mediaPaths,
  ...responsesPaths,
  ...anthropicPaths,
};

export { geminiSchemas };
