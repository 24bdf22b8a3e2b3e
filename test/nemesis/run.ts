/**
 * `npm run nemesis -- --minutes N [--seed S] [--cluster]` — a Jepsen-style run: three instances
 * on a private PostgreSQL and Redis (one server, or a three-master cluster with --cluster), every
 * link through a proxy of the run's own, clients through the real protocol writing a history,
 * a nemesis injecting faults on a seeded schedule, then a quiet period and a checker.
 *
 *   --minutes N        length of the load + fault phase, quiet period included (default 10)
 *   --seed S           the fault schedule and the workload's choices (default: random, printed)
 *   --cluster          a three-master Redis Cluster instead of one redis-server
 *   --out DIR          where the history, logs and verdict go (default test/nemesis/results/<run>)
 *   --skip-if-missing  exit 0 saying why when PostgreSQL, redis-server or libfaketime is missing
 *   --check DIR        only run the checker again on a finished run's history.jsonl and db.json
 *
 * Exits 1 when any invariant was violated. See README.md, "Nemesis".
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { check, violationCount, writeVerdict } from './check';
import { DEFAULT_SETTINGS } from './check/types';
import { History, readHistory } from './history';
import { Instance, LIBFAKETIME, MAIN } from './instances';
import { Fault, FAULT_KINDS, Nemesis, planFaults } from './nemesis';
import { Pollers } from './pollers';
import { lowPort } from './ports';
import { postgresMissing, PrivatePostgres } from './postgres';
import { Proxy } from './proxy';
import { Random } from './random';
import { REDIS_SERVER, RunRedis } from './redis';
import { DbSnapshot, snapshot } from './snapshot';
import { sleep, Workload } from './workload/context';
import { Generator } from './workload/generator';
import { createCast } from './workload/setup';

const ROOT = join(__dirname, '..', '..');
const DATABASE = 'numerai_nemesis';

interface Options {
  minutes: number;
  seed: number;
  cluster: boolean;
  out: string | undefined;
  skipIfMissing: boolean;
  rooms: number;
  checkOnly: string | undefined;
}

function parse(argv: string[]): Options {
  const options: Options = {
    minutes: 10,
    seed: randomBytes(4).readUInt32BE(0),
    cluster: false,
    out: undefined,
    skipIfMissing: false,
    rooms: 8,
    checkOnly: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const next = () => argv[++i] ?? '';
    const arg = argv[i];
    if (arg === '--minutes') options.minutes = Number(next());
    else if (arg === '--seed') options.seed = Number(next());
    else if (arg === '--cluster') options.cluster = true;
    else if (arg === '--out') options.out = next();
    else if (arg === '--rooms') options.rooms = Number(next());
    else if (arg === '--skip-if-missing') options.skipIfMissing = true;
    else if (arg === '--check') options.checkOnly = next();
    else throw new Error(`unknown option ${arg}`);
  }
  if (!(options.minutes >= 1 && options.minutes <= 60)) throw new Error('--minutes must be 1–60');
  if (!Number.isInteger(options.seed) || options.seed < 0) throw new Error('--seed must be a non-negative integer');
  if (!(options.rooms >= 2 && options.rooms <= 40)) throw new Error('--rooms must be 2–40');
  return options;
}

function missing(): string | undefined {
  if (!existsSync(MAIN)) return `${relative(ROOT, MAIN)} is missing: run \`npm run build\` first`;
  if (!REDIS_SERVER) return 'redis-server is not installed';
  if (!LIBFAKETIME) return 'libfaketime is not installed (Debian package faketime)';
  return postgresMissing();
}

/** Every process, proxy and directory of the run, for a cleanup that always happens. */
class Resources {
  postgres: PrivatePostgres | undefined;
  redis: RunRedis | undefined;
  proxies: Proxy[] = [];
  instances: Instance[] = [];
  dirs: string[] = [];

  async release(): Promise<void> {
    await Promise.allSettled(this.instances.map((instance) => instance.stop()));
    this.instances.forEach((instance) => instance.closeLog());
    await Promise.allSettled(this.proxies.map((proxy) => proxy.close()));
    await this.redis?.destroy().catch(() => undefined);
    try {
      this.postgres?.destroy();
    } catch {
      // already gone
    }
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const options = parse(process.argv.slice(2));
  if (options.checkOnly) return recheck(options.checkOnly);
  const why = missing();
  if (why) {
    process.stdout.write(`nemesis: skipped: ${why}\n`);
    return options.skipIfMissing ? 0 : 1;
  }
  const total = options.minutes * 60_000;
  const quiet = options.minutes >= 5 ? 60_000 : 45_000;
  const warmup = Math.min(20_000, Math.round(total * 0.1));
  const faultEnd = total - quiet;
  const reps = Math.max(1, Math.floor((faultEnd - warmup) / (FAULT_KINDS.length * 17_000)));
  const faults = planFaults(Random.derive(options.seed, 'nemesis'), warmup, faultEnd, reps, options.cluster ? 3 : 1);
  const stamp = new Date()
    .toISOString()
    .slice(0, 16)
    .replace(/[-:T]/g, '')
    .replace(/^(\d{8})/, '$1-');
  const name = `${stamp}-seed${options.seed}-${options.minutes}min${options.cluster ? '-cluster' : ''}`;
  const out = options.out ?? join(ROOT, 'test', 'nemesis', 'results', name);
  mkdirSync(out, { recursive: true });
  const history = new History(join(out, 'history.jsonl'));
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  history.add({
    type: 'meta',
    f: 'run',
    seed: options.seed,
    commit,
    minutes: options.minutes,
    cluster: options.cluster,
    schedule: faults,
  });
  process.stdout.write(
    `nemesis: seed ${options.seed}, ${options.minutes} min, ${faults.length} faults (${reps} of each kind), Redis ${options.cluster ? 'cluster' : 'single'}; output ${relative(ROOT, out)}\n`,
  );

  const resources = new Resources();
  // A run always stops by itself: the whole run, setup and check included, has a hard deadline.
  const deadline = setTimeout(
    () => {
      process.stderr.write('nemesis: hard deadline reached; cleaning up\n');
      void resources.release().finally(() => process.exit(3));
    },
    total + 8 * 60_000,
  );
  deadline.unref();
  const onSignal = () => void resources.release().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await runWith(options, resources, history, faults, { total, quiet, faultEnd, warmup }, out);
  } finally {
    await resources.release();
    history.close();
    clearTimeout(deadline);
  }
}

async function runWith(
  options: Options,
  resources: Resources,
  history: History,
  faults: Fault[],
  times: { total: number; quiet: number; faultEnd: number; warmup: number },
  out: string,
): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'numerai-nemesis-'));
  resources.dirs.push(work);
  resources.postgres = await PrivatePostgres.start(await lowPort());
  const pg = resources.postgres;
  await pg.query(`CREATE DATABASE ${DATABASE}`);
  resources.redis = await RunRedis.start(options.cluster);
  const redis = resources.redis;
  const secret = randomBytes(24).toString('hex');
  const prefix = `nem${randomBytes(3).toString('hex')}`;
  for (const name of ['A', 'B', 'C']) {
    const pgProxy = await Proxy.start(`${name}→pg`, await lowPort(), pg.port);
    const redisProxies: Proxy[] = [];
    for (const port of redis.ports)
      redisProxies.push(await Proxy.start(`${name}→redis:${port}`, await lowPort(), port));
    resources.proxies.push(pgProxy, ...redisProxies);
    const redisEnv: Record<string, string> = options.cluster
      ? {
          REDIS_CLUSTER_NODES: redisProxies.map((proxy) => `127.0.0.1:${proxy.port}`).join(','),
          REDIS_CLUSTER_NAT_MAP: redisProxies
            .map((proxy) => `127.0.0.1:${proxy.targetPort}=127.0.0.1:${proxy.port}`)
            .join(','),
        }
      : { REDIS_URL: `redis://127.0.0.1:${redisProxies[0].port}` };
    const dataDir = join(work, `data-${name}`);
    mkdirSync(dataDir);
    const env = {
      DATABASE_URL: `postgres://postgres@127.0.0.1:${pgProxy.port}/${DATABASE}`,
      ...redisEnv,
      REDIS_KEY_PREFIX: prefix,
      JWT_SECRET: secret,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      RATE_LIMIT_PER_MINUTE: '1000000',
      AUTH_RATE_LIMIT_PER_MINUTE: '100000',
      WS_UPGRADES_PER_MINUTE_PER_IP: '1000000',
      WS_MAX_CONNECTIONS_PER_USER: '100',
      MAX_CONNECTIONS_PER_IP: '0',
      SCHEDULER_TICK_MS: '1000',
      CONSULTATION_REMINDER_MINUTES: '1',
      DATABASE_CONNECT_TIMEOUT_MS: '120000',
    };
    resources.instances.push(new Instance(name, await lowPort(), env, { pg: pgProxy, redis: redisProxies }, out));
  }
  const instances = resources.instances;
  // The first one runs the migrations; the others start once the schema is there.
  instances[0].start();
  await instances[0].waitHealthy(120_000);
  instances.slice(1).forEach((instance) => instance.start());
  await Promise.all(instances.slice(1).map((instance) => instance.waitHealthy(120_000)));

  const urls = instances.map((instance) => instance.url);
  const workload = new Workload(history, Random.derive(options.seed, 'generator'), urls);
  const dues = [0.35, 0.65].map((share) => Math.round(times.warmup + (times.faultEnd - times.warmup) * share));
  const cast = await createCast(urls[0], options.rooms, dues, (id) =>
    pg.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [id], DATABASE).then(() => undefined),
  );
  history.add({
    type: 'meta',
    f: 'cast',
    rooms: cast.rooms.map((room) => ({
      index: room.index,
      id: room.id,
      client: room.client.id,
      numerologist: room.numerologist.id,
    })),
    reminders: cast.reminders.map((reminder) => ({
      id: reminder.id,
      users: reminder.users.map((user) => user.id),
      due: reminder.due,
    })),
    stranger: cast.stranger.id,
    admin: cast.admin.id,
  });
  // The schedule counts from here: the cast exists, the load starts.
  const started = History.now();
  const generator = new Generator(workload, cast);
  const pollers = new Pollers(history, instances);
  generator.start();
  pollers.start();
  const nemesis = new Nemesis(history, instances, redis, pg, started);
  const progress = setInterval(() => {
    const s = Math.round((History.now() - started) / 1000);
    process.stdout.write(
      `nemesis: ${s} s, ${instances.map((i) => `${i.name}:${i.running ? (i.paused ? 'paused' : 'up') : 'down'}`).join(' ')}\n`,
    );
  }, 30_000);
  try {
    await nemesis.run(faults, History.now);
    await nemesis.healAll();
    history.add({ type: 'truth', f: 'quiet', phase: 'start' });
    process.stdout.write('nemesis: every fault healed; quiet period\n');
    await sleep(Math.max(0, started + times.total - times.quiet / 2 - History.now()));
    const finished = await generator.finish();
    process.stdout.write(`nemesis: readers caught up: ${finished.readersDone}/${finished.readersTotal}\n`);
    // Presence settles within the grace period plus one instance TTL of the last socket change.
    const settle = DEFAULT_SETTINGS.presenceBoundMs + 5000;
    await sleep(Math.max(settle, started + times.total - History.now()));
    history.add({
      type: 'truth',
      f: 'presence',
      online: generator.onlineNow(),
      contacts: generator.contacts(),
      settled_ms: settle,
    });
    history.add({
      type: 'truth',
      f: 'tabs',
      open: finished.tabs.filter((tab) => tab.socket?.open).map((tab) => tab.proc),
    });
    history.add({ type: 'truth', f: 'quiet', phase: 'end' });
  } finally {
    clearInterval(progress);
    nemesis.abort();
    await pollers.stop();
  }
  const db = await snapshot(pg, DATABASE);
  await generator.close();
  writeFileSync(join(out, 'db.json'), JSON.stringify(db));
  history.add({ type: 'meta', f: 'end' });
  const findings = check(readHistory(history.path), db);
  const counts = FAULT_KINDS.map(
    (kind) =>
      `${kind} ${readHistory(history.path).filter((entry) => entry.type === 'nemesis' && entry.f === kind && entry.phase === 'start').length}`,
  );
  const text = writeVerdict(
    join(out, 'verdict.md'),
    [
      `# Nemesis run — seed ${options.seed}, ${options.minutes} min, Redis ${options.cluster ? 'cluster (3 masters)' : 'single'}`,
      '',
      `Commit ${history.path ? readHistory(history.path)[0].commit : ''}; replay with \`npm run nemesis -- --minutes ${options.minutes} --seed ${options.seed}${options.cluster ? ' --cluster' : ''}\`.`,
      `Faults applied: ${counts.join(', ')}.`,
    ],
    findings,
  );
  process.stdout.write(`\n${text}\n`);
  return violationCount(findings) === 0 ? 0 : 1;
}

/**
 * The checker alone, on a finished run's directory (e.g. after the checker learned something):
 * prints the table and rewrites the verdict, keeping the run's header.
 */
function recheck(dir: string): number {
  const db = JSON.parse(readFileSync(join(dir, 'db.json'), 'utf8')) as DbSnapshot;
  const findings = check(readHistory(join(dir, 'history.jsonl')), db);
  const previous = join(dir, 'verdict.md');
  const header = existsSync(previous)
    ? readFileSync(previous, 'utf8').split('\n| invariant |')[0].trimEnd().split('\n')
    : [];
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  const text = writeVerdict(
    previous,
    [...header, `Checked again from the stored history by the checker of commit ${commit}.`],
    findings,
  );
  process.stdout.write(`${text}\n`);
  return violationCount(findings) === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`nemesis: ${error.stack ?? error.message}\n`);
    process.exit(2);
  },
);
