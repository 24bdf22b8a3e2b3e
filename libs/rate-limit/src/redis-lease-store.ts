import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { BudgetLeaseStore, LeaseGrant, LeaseRequest } from './budget-lease-store';

/**
 * A window is one hash, `{id, used}`, created by the first request of the window and
 * expiring with it (PEXPIRE windowMs): Redis's own clock ends windows, no instance's.
 * `used` counts units handed out, spent or not. ARGV: need, extra, limit, windowMs, a fresh
 * window id, reserve. Returns {windowId, granted, left, windowTtlMs}.
 */
const ACQUIRE = `
local need, extra, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local id = redis.call('HGET', KEYS[1], 'id')
if not id then
  id = ARGV[5]
  redis.call('HSET', KEYS[1], 'id', id, 'used', 0)
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
local used = tonumber(redis.call('HGET', KEYS[1], 'used'))
local left = math.max(limit - used, 0)
local granted = math.min(need, left)
local spare = math.max(limit - tonumber(ARGV[6]) - used - granted, 0)
granted = granted + math.min(extra, spare)
if granted > 0 then redis.call('HINCRBY', KEYS[1], 'used', granted) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  ttl = tonumber(ARGV[4])
end
return { id, granted, math.max(left - granted, 0), ttl }
`;

/** Gives units back to the window they came from, only if that window is still the current one. */
const RELEASE = `
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return 0 end
if redis.call('HINCRBY', KEYS[1], 'used', -tonumber(ARGV[2])) < 0 then redis.call('HSET', KEYS[1], 'used', 0) end
return 1
`;

type ScriptClient = Pick<Redis, 'eval' | 'evalsha'>;

/**
 * The lease store on Redis (a single server or a cluster): one key per budget, so every
 * script touches one slot; `{rl:<key>}` is the hash tag. Scripts go by EVALSHA, with EVAL
 * when the server does not know them yet (after a restart or on a new cluster node).
 */
export class RedisLeaseStore implements BudgetLeaseStore {
  constructor(
    private readonly redis: ScriptClient,
    private readonly prefix: string,
  ) {}

  /** The window's key: `<prefix>:{rl:<budget key>}:w`. */
  keyOf(key: string): string {
    return `${this.prefix}:{rl:${key}}:w`;
  }

  async acquire(key: string, request: LeaseRequest): Promise<LeaseGrant> {
    const { need, extra, limit, windowMs, reserve } = request;
    const windowId = randomBytes(8).toString('hex');
    const answer = await this.run(ACQUIRE, this.keyOf(key), [need, extra, limit, windowMs, windowId, reserve]);
    if (!Array.isArray(answer) || answer.length !== 4) throw new TypeError(`unexpected lease answer ${String(answer)}`);
    const [id, granted, left, ttl] = answer as [string, number, number, number];
    return { windowId: String(id), granted: Number(granted), left: Number(left), windowTtlMs: Number(ttl) };
  }

  async release(key: string, windowId: string, units: number): Promise<void> {
    await this.run(RELEASE, this.keyOf(key), [windowId, units]);
  }

  private async run(script: string, key: string, args: Array<string | number>): Promise<unknown> {
    try {
      return await this.redis.evalsha(sha1(script), 1, key, ...args);
    } catch (error) {
      if (!String(error).includes('NOSCRIPT')) throw error;
      return this.redis.eval(script, 1, key, ...args);
    }
  }
}

const shas = new Map<string, string>();
function sha1(script: string): string {
  let sha = shas.get(script);
  if (!sha) {
    sha = createHash('sha1').update(script).digest('hex');
    shas.set(script, sha);
  }
  return sha;
}
