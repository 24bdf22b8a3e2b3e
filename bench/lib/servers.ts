import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { isAlive } from './proc';
import { RpcClient } from './rpc';
import { sleep } from './stats';
import type { MemorySample } from './types';

/**
 * V8 grows the young generation (1 → 16 MB per semi-space) as the allocation rate rises, which adds
 * up to 32 MB of RSS that has nothing to do with connections, and only in a server that had not
 * grown it yet (a small baseline during a connect storm, not a framework that grew it at start-up).
 * Every server runs with it pinned at V8's default maximum, so RSS deltas compare like with like.
 */
const PINNED_NEW_SPACE = ['--min-semi-space-size=16', '--max-semi-space-size=16'];

/** Every process the benchmark started, so that all of them are ended whatever happens. */
const started = new Set<ChildProcess>();

/** A port that was free on 127.0.0.1 a moment ago (the kernel's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  name: string;
  port: number;
  child: ChildProcess;
  pid: number;
  rpc: RpcClient;
  logFile: string;
  /** How it was started, for restartServer. */
  options: SpawnOptions;
}

export interface SpawnOptions {
  name: string;
  /** Script and its arguments, run by `node` with the bench probe preloaded. */
  args: string[];
  nodeFlags?: string[];
  env: NodeJS.ProcessEnv;
  port: number;
  logFile: string;
  probe: string;
  cwd: string;
  readyTimeoutMs?: number;
}

/**
 * BENCH_CPU_PROF=<dir>: every server child writes a V8 CPU profile of its whole life there when it
 * exits (node --cpu-prof). The cluster rows' instances have no inspector hook of their own
 * (--profile covers the single-instance scenarios only); this is how their profiles are taken.
 */
function cpuProfFlags(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/**
 * Starts a server child in its own process group (so it and anything it spawns are killed
 * together), with an IPC channel for the memory probe, and waits until it answers HTTP on its port.
 */
export async function startServer(options: SpawnOptions): Promise<ServerProcess> {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      ...PINNED_NEW_SPACE,
      ...(options.nodeFlags ?? []),
      ...cpuProfFlags(),
      '-r',
      options.probe,
      ...options.args,
    ],
    {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  started.add(child);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  child.once('exit', () => started.delete(child));
  const server: ServerProcess = {
    name: options.name,
    port: options.port,
    child,
    pid: child.pid ?? -1,
    rpc: new RpcClient(child, options.name),
    logFile: options.logFile,
    options,
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${options.name} exited during start-up (${child.signalCode ?? child.exitCode}): ${tail(options.logFile)}`,
      );
    }
    if (await answersHttp(options.port)) return server;
    await sleep(100);
  }
  await stopProcess(child);
  throw new Error(`${options.name} did not answer on port ${options.port} in time: ${tail(options.logFile)}`);
}

/** Stops a server (gracefully, so a --cpu-prof profile gets written) and starts it again the same way. */
export async function restartServer(server: ServerProcess): Promise<ServerProcess> {
  await stopProcess(server.child, 20_000);
  return startServer(server.options);
}

/** Forks a bench worker (the load generator) with an IPC channel, in its own process group. */
export function startWorker(script: string, cwd: string, logFile: string): { child: ChildProcess; rpc: RpcClient } {
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [script], {
    cwd,
    env: { ...process.env, NODE_ENV: 'production' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  started.add(child);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  child.once('exit', () => started.delete(child));
  return { child, rpc: new RpcClient(child, 'loadgen') };
}

function answersHttp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/__bench/ready', method: 'GET', timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

export async function memoryOf(server: ServerProcess): Promise<MemorySample> {
  return server.rpc.call<MemorySample>('memory', { gc: true }, 30_000);
}

/** SIGTERM to the child's process group, SIGKILL if it is still there after `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  const pid = child.pid;
  if (!pid || child.exitCode !== null || child.signalCode !== null) return;
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && child.exitCode === null && child.signalCode === null && Date.now() < deadline) {
    await sleep(50);
  }
  signalGroup(pid, 'SIGKILL');
  started.delete(child);
}

/** Last resort, synchronous (safe in an 'exit' handler): SIGKILL every process group still running. */
export function killAllNow(): void {
  for (const child of started) if (child.pid) signalGroup(child.pid, 'SIGKILL');
  started.clear();
}

export async function stopAll(graceMs = 5000): Promise<void> {
  await Promise.all([...started].map((child) => stopProcess(child, graceMs)));
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
