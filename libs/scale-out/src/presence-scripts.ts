import type { RedisConnection } from './redis-clients';

/**
 * Where presence lives in Redis. Every instance owns one hash of its own connections,
 * which is nothing but a projection of its local ConnectionRegistry:
 *
 *   {<prefix>:presence}:instances     SET   ids of instances that have a conns hash
 *   {<prefix>:presence}:hb:<id>       STR   heartbeat of instance <id>, expires after PRESENCE_INSTANCE_TTL_MS
 *   {<prefix>:presence}:conns:<id>    HASH  u:<user> → open connections of <user> on <id>;
 *                                         r:<room>:<user> → connections of <user> in shared room <room> (a chat) on <id>
 *   {<prefix>:presence}:leaving       ZSET  users whose cluster-wide count reached 0, scored by when: the safety net
 *                                         for an instance that dies during the offline grace period
 *   {<prefix>:presence}:reaper        STR   lock, so one instance at a time reaps dead ones
 *   {<prefix>:presence}:announced     SET   users announced online (PresenceStore)
 *   {<prefix>:presence}:last_seen     HASH  user → ISO time they went offline (PresenceStore)
 *
 * Cluster-wide answers sum a field over the instances in the set; instances number a few,
 * so that is a handful of HGETs inside one script. The scripts touch keys derived from
 * the prefix besides their declared KEYS; every one of them carries the same hash tag, so
 * on a Redis Cluster they all live in one slot and each script stays on one node.
 */
export class PresenceKeys {
  readonly base: string;
  readonly instances: string;
  readonly leaving: string;
  readonly reaperLock: string;
  readonly announced: string;
  readonly lastSeen: string;
  readonly connsPrefix: string;
  readonly heartbeatPrefix: string;

  constructor(prefix: string) {
    // One hash tag for every presence key: each script below reads the hashes of all instances,
    // so on a Redis Cluster they must share a slot (and so one master). Presence writes are one
    // per connection open/close, far below what one master serves; the heavy traffic (events)
    // is spread over the shards by its own per-room / per-user channels.
    this.base = `{${prefix}:presence}`;
    this.instances = `${this.base}:instances`;
    this.leaving = `${this.base}:leaving`;
    this.reaperLock = `${this.base}:reaper`;
    this.announced = `${this.base}:announced`;
    this.lastSeen = `${this.base}:last_seen`;
    this.connsPrefix = `${this.base}:conns:`;
    this.heartbeatPrefix = `${this.base}:hb:`;
  }

  conns(instanceId: string): string {
    return this.connsPrefix + instanceId;
  }

  heartbeat(instanceId: string): string {
    return this.heartbeatPrefix + instanceId;
  }
}

export const userField = (userId: string) => `u:${userId}`;
/** Connections of a user in a room (`chat:<consultation>`, `notifications:<user>` — Web Push asks for that one); `r:` keeps it apart from `u:` fields. */
export const roomField = (room: string, userId: string) => `r:${room}:${userId}`;

/** Sum of one field over every registered instance's conns hash. */
const TOTAL = `
local function total(instances, connsPrefix, field)
  local sum = 0
  for _, id in ipairs(instances) do
    local value = redis.call('HGET', connsPrefix .. id, field)
    if value then sum = sum + tonumber(value) end
  end
  return sum
end
`;

/**
 * One connection opened (+1) or closed (-1) here. Returns the user's cluster-wide count
 * afterwards, or -1 if this instance is not registered (reaped, or Redis lost its data):
 * the caller then rewrites its whole projection (RESYNC).
 * KEYS: instances, own conns, leaving. ARGV: instance id, user id, room field or '', delta, conns prefix, now ms.
 */
const CHANGE = `${TOTAL}
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return -1 end
local delta = tonumber(ARGV[4])
local field = 'u:' .. ARGV[2]
if redis.call('HINCRBY', KEYS[2], field, delta) <= 0 then redis.call('HDEL', KEYS[2], field) end
if ARGV[3] ~= '' and redis.call('HINCRBY', KEYS[2], ARGV[3], delta) <= 0 then redis.call('HDEL', KEYS[2], ARGV[3]) end
local sum = total(redis.call('SMEMBERS', KEYS[1]), ARGV[5], field)
if sum <= 0 then
  redis.call('ZADD', KEYS[3], ARGV[6], ARGV[2])
elseif delta > 0 then
  redis.call('ZREM', KEYS[3], ARGV[2])
end
return sum
`;

/**
 * Cluster-wide sums of the given fields, in order.
 * KEYS: instances. ARGV: conns prefix, field…
 */
const SUM = `${TOTAL}
local instances = redis.call('SMEMBERS', KEYS[1])
local result = {}
for i = 2, #ARGV do result[#result + 1] = total(instances, ARGV[1], ARGV[i]) end
return result
`;

/**
 * Replaces this instance's projection with the registry's current state (after start-up,
 * a Redis outage or data loss, or being reaped by mistake) and reports, for each user
 * who appeared in or vanished from it, their cluster-wide count, so the caller can fire
 * the 0→1 / 1→0 transitions that happened unseen.
 * KEYS: instances, own conns, own heartbeat, leaving. ARGV: instance id, conns prefix, ttl ms, now ms, field, count, …
 * Returns a flat list: user id, cluster-wide count, …
 */
const RESYNC = `${TOTAL}
local old = redis.call('HGETALL', KEYS[2])
local before = {}
for i = 1, #old, 2 do
  if string.sub(old[i], 1, 2) == 'u:' then before[old[i]] = true end
end
redis.call('DEL', KEYS[2])
local after = {}
for i = 5, #ARGV, 2 do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  if string.sub(ARGV[i], 1, 2) == 'u:' then after[ARGV[i]] = true end
end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('SET', KEYS[3], ARGV[4], 'PX', ARGV[3])
local instances = redis.call('SMEMBERS', KEYS[1])
local result = {}
local function report(field)
  local sum = total(instances, ARGV[2], field)
  local user = string.sub(field, 3)
  if sum <= 0 then redis.call('ZADD', KEYS[4], ARGV[4], user) else redis.call('ZREM', KEYS[4], user) end
  result[#result + 1] = user
  result[#result + 1] = sum
end
for field in pairs(before) do if not after[field] then report(field) end end
for field in pairs(after) do if not before[field] then report(field) end end
return result
`;

/**
 * Refreshes this instance's heartbeat and forgets the pending offlines it has handled
 * itself (its own grace period ran out while it was alive). Returns 1 if the instance is
 * still registered, 0 if not (then the caller resyncs).
 * KEYS: instances, own heartbeat, leaving. ARGV: instance id, ttl ms, now ms, user, score, …
 */
const HEARTBEAT = `
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2])
for i = 4, #ARGV, 2 do
  local score = redis.call('ZSCORE', KEYS[3], ARGV[i])
  if score and tonumber(score) == tonumber(ARGV[i + 1]) then redis.call('ZREM', KEYS[3], ARGV[i]) end
end
return redis.call('SISMEMBER', KEYS[1], ARGV[1])
`;

/**
 * Run by whichever instance takes the lock: removes instances whose heartbeat expired
 * (their process died without closing its sockets) and returns the users who are now
 * offline everywhere, plus users whose pending offline is overdue (the instance that saw
 * their last connection close died, or shut down, before its grace period ended). The
 * returned users are re-queued as pending offlines handled by the caller.
 * KEYS: instances, leaving, lock. ARGV: instance id, conns prefix, heartbeat prefix, lock ms, overdue-before ms, now ms.
 */
const REAP = `${TOTAL}
if not redis.call('SET', KEYS[3], ARGV[1], 'NX', 'PX', ARGV[4]) then return {} end
local candidates = {}
local reaped = 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[3] .. id) == 0 then
    local fields = redis.call('HKEYS', ARGV[2] .. id)
    redis.call('DEL', ARGV[2] .. id)
    redis.call('SREM', KEYS[1], id)
    reaped = reaped + 1
    for _, field in ipairs(fields) do
      if string.sub(field, 1, 2) == 'u:' then candidates[string.sub(field, 3)] = true end
    end
  end
end
for _, user in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[5])) do candidates[user] = true end
local instances = redis.call('SMEMBERS', KEYS[1])
local gone = {}
for user in pairs(candidates) do
  if total(instances, ARGV[2], 'u:' .. user) <= 0 then
    redis.call('ZADD', KEYS[2], ARGV[6], user)
    gone[#gone + 1] = user
  else
    redis.call('ZREM', KEYS[2], user)
  end
end
return gone
`;

/**
 * Graceful exit: drop this instance's projection, and hand the offlines still in their
 * grace period here to the others by making them due now (score 0): the next reaper run
 * finishes them, unless the user has reconnected elsewhere by then. The last instance to
 * leave has no others: nobody is online any more, so it settles every offline itself
 * (un-announced, last_seen = when they left, else now) and leaves no `leaving` set behind.
 * KEYS: instances, own conns, own heartbeat, leaving, announced, last_seen.
 * ARGV: instance id, now ISO, then user, score, ISO time they left, …
 * Returns {instances still registered, offlines handed over or settled}.
 */
const LEAVE = `
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('SREM', KEYS[1], ARGV[1])
local others = redis.call('SCARD', KEYS[1])
local count = 0
if others > 0 then
  for i = 3, #ARGV, 3 do
    local score = redis.call('ZSCORE', KEYS[4], ARGV[i])
    if score and tonumber(score) == tonumber(ARGV[i + 1]) then
      redis.call('ZADD', KEYS[4], 0, ARGV[i])
      count = count + 1
    end
  end
  return {others, count}
end
local left = {}
for i = 3, #ARGV, 3 do left[ARGV[i]] = ARGV[i + 2] end
for _, user in ipairs(redis.call('SMEMBERS', KEYS[5])) do
  redis.call('HSET', KEYS[6], user, left[user] or ARGV[2])
  count = count + 1
end
redis.call('DEL', KEYS[4], KEYS[5])
return {0, count}
`;

/**
 * PresenceStore.markOffline: un-announce and record last_seen, atomically; 1 if the user
 * had been announced online. KEYS: announced, last_seen. ARGV: user id, ISO time.
 */
const MARK_OFFLINE = `
if redis.call('SREM', KEYS[1], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
  return 1
end
return 0
`;

type Arg = string | number;
type Script<R> = (keys: string[], args: Arg[]) => Promise<R>;

export interface PresenceScripts {
  change: Script<number>;
  sum: Script<number[]>;
  resync: Script<Array<string | number>>;
  heartbeat: Script<number>;
  reap: Script<string[]>;
  leave: Script<[number, number]>;
  markOffline: Script<number>;
}

const SOURCES: Record<keyof PresenceScripts, string> = {
  change: CHANGE,
  sum: SUM,
  resync: RESYNC,
  heartbeat: HEARTBEAT,
  reap: REAP,
  leave: LEAVE,
  markOffline: MARK_OFFLINE,
};

/**
 * The scripts as typed functions over ioredis `defineCommand` (EVALSHA, falling back to
 * EVAL when Redis lost its script cache, e.g. after a restart).
 */
export function presenceScripts(client: RedisConnection): PresenceScripts {
  const scripts = {} as Record<keyof PresenceScripts, Script<unknown>>;
  for (const [name, lua] of Object.entries(SOURCES) as Array<[keyof PresenceScripts, string]>) {
    const command = `numeraiPresence_${name}`;
    if (!(command in client)) client.defineCommand(command, { lua });
    const run = (client as unknown as Record<string, (...args: Arg[]) => Promise<unknown>>)[command];
    // Without numberOfKeys in the definition, the key count is the first argument.
    scripts[name] = (keys, args) => run.call(client, keys.length, ...keys, ...args);
  }
  return scripts as unknown as PresenceScripts;
}
