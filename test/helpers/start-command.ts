import { readFileSync } from 'node:fs';

/**
 * The command the Docker image starts with (the last `CMD` of the Dockerfile, exec form). The
 * tests that start the service as a process run exactly this, so the image cannot drift from them.
 */
export function startCommand(dockerfile = 'Dockerfile'): string[] {
  const lines = readFileSync(dockerfile, 'utf8').split('\n');
  const cmd = lines.filter((line) => /^CMD\s/.test(line)).at(-1);
  if (cmd === undefined) throw new Error(`${dockerfile} has no CMD`);
  const parsed: unknown = JSON.parse(cmd.replace(/^CMD\s+/, ''));
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string'))
    throw new Error(`${dockerfile}: CMD is not in exec form: ${cmd}`);
  return parsed;
}
