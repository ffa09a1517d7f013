import { resolve } from 'node:path';

/** What start-up was doing when it failed, to name the folder or address in the sentence. */
export type StartUpContext = {
  host: string;
  port: number;
  logFile: string;
  dataDir: string;
  databaseFile: string;
};

type SystemError = Error & { code?: unknown; errcode?: unknown; path?: unknown; syscall?: unknown };

/**
 * One sentence naming the cause and the fix for a start-up failure the environment causes (port
 * taken, folder not writable, database locked or damaged); undefined for anything else, which is a
 * bug and keeps its stack trace.
 */
export function explainStartUpFailure(error: unknown, context: StartUpContext): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const failure = error as SystemError;
  const where = `${context.host}:${context.port}`;
  if (failure.syscall === 'listen' || failure.code === 'EADDRINUSE') return explainListen(failure, where);
  if (failure.code === 'ERR_SQLITE_ERROR') return explainDatabase(failure, context);
  if (typeof failure.code === 'string' && typeof failure.path === 'string')
    return explainFolder(failure.code, resolve(failure.path), context);
  return undefined;
}

function explainListen(failure: SystemError, where: string): string | undefined {
  switch (failure.code) {
    case 'EADDRINUSE':
      return `Port ${where} is already in use (another Gemini Balance, or another program): stop that program or set PORT to a free port.`;
    case 'EACCES':
      return `Listening on ${where} is not allowed for this user (ports below 1024 need privileges): set PORT to 1024 or above.`;
    case 'EADDRNOTAVAIL':
      return `HOST ${where.slice(0, where.lastIndexOf(':'))} is not an address of this machine: set HOST to one of its addresses, or leave it unset.`;
    default:
      return undefined;
  }
}

function explainDatabase(failure: SystemError, context: StartUpContext): string | undefined {
  const file = resolve(context.databaseFile);
  switch (failure.errcode) {
    case 5: // SQLITE_BUSY
    case 6: // SQLITE_LOCKED
      return `The database ${file} is locked by another process (most likely another Gemini Balance using the same DATA_DIR): stop it, or give this one its own DATA_DIR.`;
    case 8: // SQLITE_READONLY
    case 14: // SQLITE_CANTOPEN
      return `The data folder ${resolve(context.dataDir)} is not writable for this user (uid ${userId()}), so ${file} cannot be opened: make it writable (with Docker, chown the mounted folder to the container's user) or set DATA_DIR to a folder that is.`;
    case 11: // SQLITE_CORRUPT
    case 26: // SQLITE_NOTADB
      return `The database ${file} is damaged or not an SQLite file: move it away (the service then starts with fresh key state) or restore a backup.`;
    default:
      return undefined;
  }
}

function explainFolder(code: string, path: string, context: StartUpContext): string | undefined {
  if (!['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'EISDIR', 'ENOENT'].includes(code)) return undefined;
  const logFile = resolve(context.logFile);
  const dataDir = resolve(context.dataDir);
  const reason =
    code === 'EROFS'
      ? 'read-only file system'
      : code === 'ENOTDIR' || code === 'EEXIST'
        ? 'a file is in the way'
        : code;
  if (logFile === path || logFile.startsWith(`${path}/`))
    return `The log file ${logFile} cannot be written (${reason}) for this user (uid ${userId()}): make its folder writable (with Docker, chown the mounted folder to the container's user) or set LOG_FILE to a writable path.`;
  if (path === dataDir || path.startsWith(`${dataDir}/`) || dataDir.startsWith(`${path}/`))
    return `The data folder ${dataDir} cannot be written (${reason}) for this user (uid ${userId()}): make it writable (with Docker, chown the mounted folder to the container's user) or set DATA_DIR to a folder that is.`;
  return undefined;
}

function userId(): string {
  return process.getuid === undefined ? 'unknown' : String(process.getuid());
}
