import { ChildProcess, spawn } from 'node:child_process';
// The helper itself, not the @numerai/testing barrel: the nemesis run (test/nemesis) uses this
// file outside Jest, where the barrel's entities would need decorator metadata.
import { waitFor } from '../../apps/api/testing/wait-for';

/** Every test redis-server: on the loopback only, nothing written to disk, so a restart is empty. */
const EPHEMERAL = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'];

/** A running redis-server of a test's own and what it printed. */
export interface RedisProcess {
  child: ChildProcess;
  output: string[];
}

/** Starts `redisServer` on `port` with `extraArgs` and resolves once it accepts connections. */
export async function startRedisProcess(
  redisServer: string,
  port: number,
  extraArgs: string[] = [],
): Promise<RedisProcess> {
  const output: string[] = [];
  const child = spawn(redisServer, ['--port', String(port), ...EPHEMERAL, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  try {
    await waitFor(`redis-server on ${port}`, () => output.join('').includes('Ready to accept connections'), 10_000, 20);
  } catch (error) {
    await killRedisProcess(child);
    throw new Error(`${(error as Error).message}\n${output.join('')}`);
  }
  return { child, output };
}

/** SIGKILL: the connections drop as if the machine went away. Resolves once it exited. */
export async function killRedisProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
