import { loadConfig } from '@numerai/config';
import { captureLogs } from '@numerai/logging';
import { BullmqJobRunner } from '../../libs/scheduler/src/bullmq-job-runner';
import { REDIS_SERVER, RedisServer, waitFor } from './support/cluster';

const describeIfRedis = REDIS_SERVER ? describe : describe.skip;
if (!REDIS_SERVER) process.stdout.write('BullMQ scheduler shutdown: skipped: redis-server is not installed\n');

/** Ref'd timers: what keeps a process (a test run, an instance being stopped) from exiting. */
const keepingAlive = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

/**
 * An instance stopped while one of its ticks hangs (a database that stopped answering) must
 * still let its process exit: BullMQ's own close waits for the job without limit, and its
 * lock-renewal timer kept a full test run from ever exiting.
 */
describeIfRedis('BullMQ scheduler: shutdown during a tick that never ends', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(() => redis?.stop());

  it('gives up on the tick after a bounded wait and leaves no timer behind', async () => {
    const config = loadConfig({
      JWT_SECRET: 'scheduler-shutdown-test-secret-0123456789',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `scheduler-shutdown-${process.pid}`,
      SCHEDULER_TICK_MS: '100',
    });
    const runner = new BullmqJobRunner(config, captureLogs().loggers);
    let started = false;
    runner.register({
      name: 'hangs',
      run: () => {
        started = true;
        return new Promise<void>(() => undefined);
      },
    });
    const before = keepingAlive();
    runner.onApplicationBootstrap();
    await waitFor('the tick to start', () => started);

    await runner.onApplicationShutdown();

    await waitFor('every timer of the worker to be gone', () => keepingAlive() <= before, 5_000);
  });
});
