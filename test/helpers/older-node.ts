import { execFileSync } from 'node:child_process';
import { delimiter, join } from 'node:path';

/** A `node` on this machine older than 24 (what a new user often has), if there is one. */
export function olderNode(): { directory: string; binary: string; version: string } | undefined {
  const directories = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin'];
  for (const directory of directories) {
    if (directory === '' || directory.includes('node_modules')) continue;
    const binary = join(directory, 'node');
    try {
      const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
      const major = Number(version.slice(1).split('.')[0]);
      if (major >= 20 && major < 24) return { directory, binary, version };
    } catch {}
  }
  return undefined;
}
