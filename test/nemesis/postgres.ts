import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

const BIN = ['/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin'].find((dir) => existsSync(join(dir, 'initdb')));

/** Why a private PostgreSQL cannot run here, or undefined when it can. */
export function postgresMissing(): string | undefined {
  if (!BIN) return 'PostgreSQL server binaries (initdb, pg_ctl) are not installed under /usr/lib/postgresql';
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0)
    return 'running as root and there is no `postgres` OS user to run initdb as';
  return undefined;
}

/**
 * A PostgreSQL server of the run's own (never the shared one on 5432), so the nemesis may stop
 * it with `-m immediate` (a crash: no shutdown checkpoint) and start it again. initdb refuses
 * root, so as root it runs as the `postgres` OS user. fsync is off (speed; a process crash
 * loses nothing the kernel holds) but synchronous_commit stays on: an acknowledged commit is
 * in the WAL, which survives the immediate stop.
 */
export class PrivatePostgres {
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(port: number): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'numerai-nemesis-pg-'));
    const pg = new PrivatePostgres(port, dir);
    if (process.getuid?.() === 0) {
      const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim();
      const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim();
      chownSync(dir, Number(ids), Number(gid));
    }
    pg.run('initdb', ['-D', pg.data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    writeFileSync(
      join(pg.data, 'postgresql.auto.conf'),
      [
        `port = ${port}`,
        "listen_addresses = '127.0.0.1'",
        "unix_socket_directories = ''",
        'fsync = off',
        'synchronous_commit = on',
        'full_page_writes = off',
        'max_connections = 200',
        'shared_buffers = 32MB',
      ].join('\n') + '\n',
    );
    if (process.getuid?.() === 0) spawnSync('chown', ['postgres:postgres', join(pg.data, 'postgresql.auto.conf')]);
    await pg.restart();
    return pg;
  }

  get data(): string {
    return join(this.dir, 'data');
  }

  url(port = this.port, database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${port}/${database}`;
  }

  /** A crash: no checkpoint, every connection cut. */
  crash(): void {
    this.run('pg_ctl', ['-D', this.data, 'stop', '-m', 'immediate', '-w'], true);
  }

  async restart(): Promise<void> {
    this.run('pg_ctl', ['-D', this.data, '-l', join(this.dir, 'log'), 'start', '-w', '-t', '60']);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const client = new Client({ connectionString: this.url(), connectionTimeoutMillis: 2000 });
      try {
        await client.connect();
        await client.end();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error('private PostgreSQL did not accept connections within 30 s');
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = [], database = 'postgres'): Promise<T[]> {
    const client = new Client({ connectionString: this.url(this.port, database), connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  destroy(): void {
    this.crash();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private run(tool: string, args: string[], tolerate = false): void {
    const command = join(BIN!, tool);
    const result =
      process.getuid?.() === 0
        ? spawnSync('runuser', ['-u', 'postgres', '--', command, ...args], { encoding: 'utf8', timeout: 90_000 })
        : spawnSync(command, args, { encoding: 'utf8', timeout: 90_000 });
    if (result.status !== 0 && !tolerate) throw new Error(`${tool} failed: ${result.stdout}${result.stderr}`);
  }
}
