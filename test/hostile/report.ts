/**
 * `npm run reliability` — runs the hostile suites (test/hostile) and renders what they tried
 * and saw into docs/reliability.md, with the latest soak result from bench/results/.
 *
 *   npm run reliability                       fast tier (what CI runs), then the document
 *   npm run reliability -- --full             HOSTILE_FULL=1: 20,000 frames per endpoint, bigger floods
 *   npm run reliability -- --soak-minutes 2   also `npm run soak -- --minutes 2` first
 *   npm run reliability -- --render-only      the document from the artifacts already there
 *
 * With DATABASE_URL set the suites run on PostgreSQL; the document shows every engine whose
 * artifacts exist (test-artifacts/reliability/<suite>.<engine>.json), each with its date.
 * Exits non-zero when a suite failed or any row was not as expected.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import type { ReliabilityRow } from './support/recorder';
import { nemesisSection } from '../nemesis/report-section';

const ROOT = resolve(__dirname, '..', '..');
const ARTIFACTS = join(ROOT, 'test-artifacts', 'reliability');
const RESULTS = join(ROOT, 'bench', 'results');
/** Soak results the document used are kept here too: bench/results/ is the benchmark's to clean. */
const SOAKS = join(ARTIFACTS, 'soak');
const DOC = join(ROOT, 'docs', 'reliability.md');
const AREAS = [
  'Fuzzed frames',
  'Authorization',
  'Slow consumers',
  'Floods',
  'Secrets',
  'Consent and limits',
  'Erasure and spam',
  'Web Push abuse',
  'Sessions and input',
  'Presence and consent',
];

interface Artifact {
  suite: string;
  tier: 'fast' | 'full';
  engine: 'sqlite' | 'postgres';
  finished_at: string;
  facts: Record<string, unknown>;
  rows: ReliabilityRow[];
}

interface SoakFile {
  options: { minutes: number; connections: number; rate: number; chaos?: number; target: string };
  verdict: {
    heap_growth_second_half: number;
    connections_dropped: number;
    deliveries_lost: boolean;
    memory_start?: { rss: number; heap_used: number };
    memory_end?: { rss: number; heap_used: number };
    heap_returned?: boolean;
    chaos?: Record<string, unknown> & { ok: boolean };
    ok: boolean;
  };
  samples: {
    at_s: number;
    rss: number;
    heap_used: number;
    cpu_pct: number;
    p99_ms: number;
    delivered_fraction: number;
    deliveries_per_s: number;
  }[];
}

function parseArgs(argv: string[]) {
  const opts = { full: false, soakMinutes: 0, renderOnly: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--full') opts.full = true;
    else if (argv[i] === '--render-only') opts.renderOnly = true;
    else if (argv[i] === '--soak-minutes') opts.soakMinutes = Number(argv[++i]);
    else throw new Error(`unknown option ${argv[i]}`);
  }
  if (!(opts.soakMinutes >= 0 && opts.soakMinutes <= 120)) throw new Error('--soak-minutes must be 0–120');
  return opts;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): number {
  process.stderr.write(`\n$ ${[command, ...args].join(' ')}\n`);
  const result = spawnSync(command, args, { cwd: ROOT, env, stdio: 'inherit', timeout: timeoutMs });
  return result.status ?? 1;
}

/** Table-safe text; `__proto__` in backticks, or Markdown reads it as bold. */
const esc = (text: string) =>
  text
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ')
    .replace(/(__\w+__)/g, '`$1`');
const num = (n: number) => n.toLocaleString('en-US');
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

function loadArtifacts(): Artifact[] {
  if (!existsSync(ARTIFACTS)) return [];
  return readdirSync(ARTIFACTS)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => JSON.parse(readFileSync(join(ARTIFACTS, file), 'utf8')) as Artifact);
}

function latestSoak(): { file: string; soak: SoakFile } | undefined {
  const files = [RESULTS, SOAKS]
    .filter((dir) => existsSync(dir))
    .flatMap((dir) => readdirSync(dir).map((name) => ({ name, path: join(dir, name) })))
    .filter(({ name }) => /^soak-.*\.json$/.test(name))
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const { name, path } of files.reverse()) {
    const soak = JSON.parse(readFileSync(path, 'utf8')) as SoakFile;
    // Only soaks that ran the chaos pool answer issue 8's questions.
    if (!soak.verdict.chaos) continue;
    mkdirSync(SOAKS, { recursive: true });
    if (!existsSync(join(SOAKS, name))) copyFileSync(path, join(SOAKS, name));
    return { file: path, soak };
  }
  return undefined;
}

function render(artifacts: Artifact[], soak: { file: string; soak: SoakFile } | undefined): string {
  const lines: string[] = [];
  const out = (line = '') => lines.push(line);
  const rows = artifacts.flatMap((a) => a.rows.map((row) => ({ ...row, run: `${a.engine}, ${a.tier}` })));
  const runs = [...new Set(rows.map((r) => r.run))].sort();

  out('# Reliability: hostile input, abuse and faults');
  out();
  out(
    '<!-- Generated by `npm run reliability` (test/hostile/report.ts) from a real run; edit the generator, not this file. -->',
  );
  out();
  out(
    'What the hostile suites (`test/hostile/`) and the soak (`bench/soak.ts`) tried against the server, what protocol.md, rest.md and issues 8, 17 and 23 say must happen, and what was seen. ' +
      'Every row is written by the test that asserts it, from the figures it observed, before it asserts: a row that says `no` is a failing test.',
  );
  out();
  out(
    'Regenerate: `npm run reliability` (fast tier, about a minute; CI runs the same suites inside `npm test`), `npm run reliability -- --full` (HOSTILE_FULL=1), ',
  );
  out(
    '`npm run reliability -- --soak-minutes 2` (adds a soak), `DATABASE_URL=postgres://… npm run reliability` (PostgreSQL). Fuzz seeds are printed and listed below: `HOSTILE_SEED=<seed> npx jest test/hostile/fuzz` replays a run exactly.',
  );
  out();
  out('## Runs');
  out();
  out('| suite | engine | tier | finished | seed | rows as expected |');
  out('|---|---|---|---|---|---|');
  for (const a of artifacts) {
    const ok = a.rows.filter((r) => r.ok).length;
    out(
      `| ${a.suite} | ${a.engine} | ${a.tier} | ${a.finished_at} | ${a.facts.seed ?? '—'} | ${ok}/${a.rows.length} |`,
    );
  }
  out();
  out('## Summary');
  out();
  out('| area | run | attacks | tried | all as expected |');
  out('|---|---|---:|---:|---|');
  for (const area of AREAS) {
    for (const run of runs) {
      const inRun = rows.filter((r) => r.area === area && r.run === run);
      if (inRun.length === 0) continue;
      const tried = inRun.reduce((sum, r) => sum + r.tried, 0);
      out(`| ${area} | ${run} | ${inRun.length} | ${num(tried)} | ${inRun.every((r) => r.ok) ? 'yes' : '**no**'} |`);
    }
  }
  if (soak) {
    const v = soak.soak.verdict;
    out(
      `| Bounded soak | sqlite, ${soak.soak.options.minutes} min | 1 | ${num(Number(v.chaos?.frames_sent ?? 0))} chaos frames | ${v.ok ? 'yes' : '**no**'} |`,
    );
  }
  out();

  for (const area of AREAS) {
    const inArea = rows.filter((r) => r.area === area);
    if (inArea.length === 0) continue;
    out(`## ${area}`);
    out();
    out('| run | attack | tried | expected | seen | as expected |');
    out('|---|---|---:|---|---|---|');
    for (const r of inArea) {
      out(
        `| ${r.run} | ${esc(r.attack)} | ${num(r.tried)} | ${esc(r.expected)} | ${esc(r.seen)} | ${r.ok ? 'yes' : '**no**'} |`,
      );
    }
    out();
    if (area === 'Fuzzed frames') {
      const fuzz = artifacts.filter((a) => a.suite === 'fuzz');
      for (const a of fuzz) {
        const families = ['chat', 'notifications', 'presence']
          .map((endpoint) => {
            const f = a.facts[`${endpoint}_families`] as Record<string, number> | undefined;
            return f
              ? `/ws/${endpoint}/: ${Object.entries(f)
                  .sort((x, y) => y[1] - x[1])
                  .map(([k, n]) => `${k} ${num(n)}`)
                  .join(', ')}`
              : undefined;
          })
          .filter(Boolean);
        if (families.length > 0)
          out(`Generated frames by family (${a.engine}, seed ${a.facts.seed}): ${families.join('; ')}.`);
        out();
      }
    }
  }

  out('## Bounded soak');
  out();
  if (!soak) {
    out(
      'No soak result with the chaos pool in `bench/results/` yet: run `npm run soak -- --minutes 2` or `npm run reliability -- --soak-minutes 2`.',
    );
  } else {
    const { soak: s, file } = soak;
    const v = s.verdict;
    const c = (v.chaos ?? {}) as Record<string, unknown>;
    const n = (key: string) => num(Number(c[key] ?? 0));
    out(
      `From \`${basename(file)}\` (kept in test-artifacts/reliability/soak/): \`npm run soak -- --minutes ${s.options.minutes}\` against ${s.options.target}, ${num(s.options.connections)} load-generator connections in rooms of 10 chatting at ${num(s.options.rate)} msg/s, plus ${num(s.options.chaos ?? 0)} chaos connections (rooms of 4).`,
    );
    out();
    out('| what | expected | seen | as expected |');
    out('|---|---|---|---|');
    out(
      `| load-generator deliveries | every message to every connection of its room, no connection dropped | ${v.deliveries_lost ? 'some lost' : 'none lost'}; ${v.connections_dropped} dropped | ${!v.deliveries_lost && v.connections_dropped === 0 ? 'yes' : '**no**'} |`,
    );
    out(
      `| chaos: messages with client_id | every acknowledged message stored exactly once, under the acknowledged id | ${n('messages_sent')} sent, ${n('resends')} resends (after reconnects, and of acknowledged ones), ${n('acknowledged')} acknowledged, ${n('acknowledged_stored_once')} stored once; lost ${n('acknowledged_lost')}, duplicated ${n('duplicated')}, ack mismatches ${n('ack_mismatches')}; never acknowledged: ${n('unacknowledged_stored')} stored, ${n('unacknowledged_not_stored')} not | ${Number(c.acknowledged_lost) === 0 && Number(c.duplicated) === 0 && Number(c.ack_mismatches) === 0 && c.acknowledged === c.acknowledged_stored_once ? 'yes' : '**no**'} |`,
    );
    out(
      `| chaos: garbage frames | each answered with a protocol error (invalid_json, unknown_type, validation_failed, not_found), nothing else | ${n('garbage_sent')} sent; answers ${esc(JSON.stringify(c.error_frames))}; unexpected ${n('unexpected_error_frames')} | ${Number(c.unexpected_error_frames) === 0 ? 'yes' : '**no**'} |`,
    );
    out(
      `| chaos: faults | connections dropped and resumed; the server carries on | ${n('connects')} connects; faults ${esc(JSON.stringify(c.faults))}; closes seen ${esc(JSON.stringify(c.closes))} | ${c.ok ? 'yes' : '**no**'} |`,
    );
    if (v.memory_start && v.memory_end) {
      out(
        `| memory | heap back within 10 % (+8 MB) of the start once every connection closed; no growth between the halves of the run | heap ${mib(v.memory_start.heap_used)} → ${mib(v.memory_end.heap_used)} (RSS ${mib(v.memory_start.rss)} → ${mib(v.memory_end.rss)}); heap growth second half vs first ${(v.heap_growth_second_half * 100).toFixed(1)} % | ${v.heap_returned && v.heap_growth_second_half < 0.1 ? 'yes' : '**no**'} |`,
      );
    }
    out();
    out('| at | RSS | heap | CPU | deliveries/s | p99 | delivered |');
    out('|---:|---:|---:|---:|---:|---:|---:|');
    for (const sample of s.samples) {
      out(
        `| ${sample.at_s} s | ${mib(sample.rss)} | ${mib(sample.heap_used)} | ${sample.cpu_pct} % | ${num(Math.round(sample.deliveries_per_s))} | ${sample.p99_ms} ms | ${(sample.delivered_fraction * 100).toFixed(2)} % |`,
      );
    }
  }
  out();
  nemesisSection(ROOT).forEach((line) => out(line));
  out('## Bugs these suites found (fixed)');
  out();
  out('| found by | bug | fix |');
  out('|---|---|---|');
  out(
    '| fuzz (PostgreSQL) | A chat message containing U+0000 failed the whole group-commit INSERT: every other user’s message in the same batch got `internal` and was not stored — one client could deny chat to everyone on the instance. | `fix(chat)`: `message` and `client_id` with NUL are `validation_failed` on every engine. |',
  );
  out(
    '| fuzz (PostgreSQL) | Unpaired UTF-16 surrogates become U+FFFD on the way to the database, so two different `client_id`s collided and the second message was acknowledged as a "duplicate" of the first (with the first one’s content): an acknowledged message never stored. | same commit: unpaired surrogates are `validation_failed`. |',
  );
  out(
    '| fuzz | A deeply nested but valid JSON frame (`[[[[…]]]]`, 64 KB) overflowed the stack of the JSON.parse reviver and was answered `invalid_json`, at a depth that depended on the stack left. | `fix(realtime)`: frames nesting past 32 levels are `validation_failed`; prototype keys are stripped by a bounded walk. |',
  );
  out(
    '| fuzz (PostgreSQL) | The same U+0000 in REST text (register `full_name`, login `email`, an admin notification’s `title`/`message`) failed the INSERT or SELECT: a 500 instead of a 400. | `fix`: `IsStorableText` (@numerai/common) on those fields → 400 naming the field. |',
  );
  out(
    '| fuzz (PostgreSQL) | `client_id` was checked with class-validator’s `Length`, which counts an emoji sequence with its selectors as one character: a client_id of 5–7 family emoji passed, overflowed the `varchar(64)` column, and again failed the whole batch. | `fix(chat)`: client_id ≤ 64 UTF-16 units (as `ref` counts it). |',
  );
  out(
    '| (from the two above) | Any row the database refused failed every message of its group-commit batch. | same commit: a failed batch INSERT (nothing committed) is retried row by row, so only the refused row’s sender gets `internal`; shown by a test that makes the repository refuse one row. |',
  );
  out(
    '| secrets | `redactUrl` matched `token=` in the raw query, but the server reads `?%74oken=<jwt>` as a token: logged in clear. | `fix(logging)`: keys compared decoded. |',
  );
  out(
    '| secrets | A failed query (e.g. a missing table) was logged with TypeORM’s bound `parameters`: message text, notification content, password hashes. | same commit: the error serializer drops `parameters`. |',
  );
  out(
    '| issue 17 attack run | Creating and cancelling a consultation made a permanent presence contact; 10 accounts created 2,800 consultations against one numerologist, whose list came back unpaginated (637 KB). | `feat(consultations)`: contacts are open consultations only; one open per pair (partial unique index), at most 10 open per client, paged list. |',
  );
  out(
    '| issue 17 attack run | Racing `completed` and `cancelled` on PostgreSQL both answered 200 in 29 of 30 tries. | same commit: `UPDATE … WHERE id = ? AND status = <expected>`; the loser gets 409. |',
  );
  out(
    '| issue 17 attack run | 800 KB of nested JSON answered 500 after ~0.5 s of CPU; three senders held `/health` at 150 ms. | `feat(api)`: 64 KB bodies (1 MB on the broadcast route), nesting over 32 refused by a byte scan before parsing, unknown fields refused before class-transformer. |',
  );
  out(
    '| issue 17 attack run | 1,500 slowloris upgrades from one address were held for 90 s; any web page could open a socket with the user’s token. | `feat(realtime)`: per-address socket cap from accept with a header timeout; same-origin upgrades only unless CORS_ORIGINS says otherwise. |',
  );
  out(
    '| issue 17 attack run | A 4429 close after a burst left 284–293 of 299 stored messages unacknowledged. | `fix(realtime)`: the close waits for the answers to accepted frames and carries `retry_after_ms`. |',
  );
  out(
    '| issue 23 newcomer | A viewer that opened `/ws/presence/` while a contact was inside the 5 s grace (a page reload) never saw them online again while REST said online; a viewer could get `user_offline` for a contact it never saw online. | `fix(presence)`: one notion of online (a socket, or inside the grace) for the snapshot, events and REST, on one instance and across instances; each socket only hears `user_offline` about a contact it was shown online. The nemesis (issue 24) finds the old behaviour on its own. |',
  );
  out(
    '| issue 23 attack run | A push service answering 201 + 200 MB took an instance from 183 to 1,466 MB in 4 s. | `fix(push)`: the sender reads status and `Retry-After` only and destroys the answer; at most `PUSH_SEND_CONCURRENCY` sends per sweep (Web Push abuse rows). |',
  );
  out(
    "| issue 23 attack run | Push endpoints on `[::ffff:127.0.0.1]`, `127.0.0.2`, `0.0.0.0`, `localhost.`, private, link-local and metadata addresses were accepted and requested. | `fix(push)`: only the browsers' push-service hosts (`PUSH_ENDPOINT_HOSTS` adds more), every resolved address checked and pinned at send time, private endpoints an explicit opt-in that warns. |",
  );
  out(
    "| issue 23 attack run | Any client's booking made the numerologist a presence contact; the numerologist could only cancel. | `feat(blocks)`: only an accepted (`active`) consultation makes contacts; a numerologist can block a client (no booking, no presence, no notifications). |",
  );
  out(
    "| issue 23 attack run | 60 book/cancel cycles in 0.5 s gave the numerologist 120 notifications and pushes titled with a name of the attacker's choosing. | `fix(notifications)`: `BOOKINGS_PER_PAIR_PER_HOUR`, booked/cancelled notices collapse per pair, fixed titles. |",
  );
  out(
    '| issue 23 attack run | After `DELETE /api/users/me` open consultations stayed open, a chat notification was stored for the erased account, system messages kept the old name; erasure was not one transaction. | `fix(account)`: one transaction; consultations end with the system message and `user_offline`; nothing notified to an erased account; names rendered at read time. |',
  );
  out(
    '| issue 23 attack run | Logins racing a password change or an admin block kept a session (15 of 36); two refreshes of one token at once logged the user out; positions ≥ 2^31 answered 500 on PostgreSQL; 64 KB bodies nested 32 deep cost 78 ms of CPU. | `fix(auth)`, `fix(http)`, `fix(chat)`: conditional session insert, a refresh grace returning the same successor, `SEQ_MAX`, per-field nesting limits before class-transformer (Sessions and input rows). |',
  );
  out(
    '| nemesis (issue 24) | After Redis lost its data (restart without persistence, FLUSHALL) no scheduled job ran anywhere until an instance restarted: a reminder due after it was never sent. | `fix(scheduler)`: the job schedulers are upserted again on every reconnect and by a periodic self-check. |',
  );
  out(
    '| nemesis (issue 24) | A catch-up replay that failed part-way (PostgreSQL gone) released the held live frames: the socket got seq 8 and 9 after 6, never 7. | `fix(realtime)`: a failed replay drops the held frames and closes with 1011; the client resumes from its last seq. |',
  );
  out(
    "| nemesis (issue 24) | An unread count changed on another instance while Redis was down never reached an open tab. | `fix(notifications)`: when the bus has resubscribed, each local user's count is read from the database and sent again. |",
  );
  out(
    '| nemesis (issue 24) | A count held by an instance cut off from Redis arrived after a newer one from another instance: the tab showed 5 while the database held 0. | `fix(notifications)`: about a second after the last count sent, the count is read from the database and sent again if it differs. |',
  );
  out(
    "| CI, PostgreSQL pass (issue 24) | After every node of a Redis Cluster restarted, the scheduler's BullMQ worker could hang on its blocking connection: it looked alive while reminder and reading ticks piled up in `wait`. | `fix(scheduler)`: the self-check replaces a worker that left the same job waiting through three idle checks (`StalledWorkerDetector`, no clock). |",
  );
  out();
  out('## How the suites work');
  out();
  out(
    '- **Fuzz** (`fuzz.e2e-spec.ts`): fast-check generates frames from weighted families (random JSON, wrong types for every field of every client frame, huge and deep values, `__proto__`/`constructor`/`toString` keys, lone surrogates, bidi and zero-width characters, emoji sequences, binary, truncated JSON, valid frames mixed in). An oracle (`support/frames.ts`) re-states the contract independently of the server code and predicts each answer; the property sends one frame and requires exactly that answer (silence is checked with a following ping). Database rows are counted through the app’s DataSource before and after and must differ by exactly what the valid frames did; the other participant / another user watches for anything illegitimate. Fragmentation: frames cut at random byte offsets into 1–6 WebSocket fragments, six connections’ fragments interleaved.',
  );
  out(
    '- **Authorization** (`authorization.e2e-spec.ts`): routes are read from `/api/docs-json`, so a new route without a matrix row fails the suite. Tokens are crafted by hand (alg:none, RS256 with an attacker key, HS256 keyed with a public key PEM, HS512, expired, nbf in the future, deleted user). A control request by the owner shows the leak check can fire.',
  );
  out(
    '- **Slow consumers** (`slow-consumers.e2e-spec.ts`): the reader’s TCP socket is paused; `ClientConnection.sendRaw` is observed after every send for the exact high-water mark of the server-side queue.',
  );
  out(
    '- **Floods** (`floods.e2e-spec.ts`): bursts through the real listener; memory after GC in-process; per-IP limits with TRUST_PROXY naming another address, so a spoofed X-Forwarded-For is not believed; a second client address (127.0.0.2) on the loopback interface.',
  );
  out(
    '- **Secrets** (`secrets.e2e-spec.ts`): every JSON log line of a LOG_LEVEL=trace server is captured and searched; real faults are injected by renaming tables under the running app.',
  );
  out(
    '- **Sessions and input** (`auth-races.e2e-spec.ts`): logins fired a few ms apart from before a password change (or an admin block) until after it; every session they got must be dead on REST, refresh and connect. Double refreshes are truly concurrent; the late replay waits out a short `REFRESH_TOKEN_REUSE_GRACE_MS` on the database clock. The nested-body CPU figure is the whole test process (client serialization included).',
  );
  out(
    '- **Soak** (`bench/soak.ts`): see `bench/README.md`; the chaos pool and its end-of-run checks are described at the top of the script.',
  );
  out();
  return `${lines.join('\n')}\n`;
}

function main(): number {
  const opts = parseArgs(process.argv.slice(2));
  let status = 0;
  if (!opts.renderOnly) {
    const env = { ...process.env, ...(opts.full ? { HOSTILE_FULL: '1' } : {}) };
    if (opts.soakMinutes > 0) {
      status ||= run(
        'npm',
        ['run', 'soak', '--', '--minutes', String(opts.soakMinutes)],
        process.env,
        (opts.soakMinutes + 15) * 60_000,
      );
    }
    status ||= run('npx', ['jest', '--runInBand', 'test/hostile'], env, 30 * 60_000);
  }
  const artifacts = loadArtifacts();
  if (artifacts.length === 0) throw new Error(`no artifacts in ${relative(ROOT, ARTIFACTS)}: run the suites first`);
  const soak = latestSoak();
  mkdirSync(join(ROOT, 'docs'), { recursive: true });
  writeFileSync(DOC, render(artifacts, soak));
  // `npm run check` runs prettier over the tree: the document is written in its format.
  spawnSync(join(ROOT, 'node_modules', '.bin', 'prettier'), ['--write', DOC], { cwd: ROOT, stdio: 'ignore' });
  const failing = artifacts.flatMap((a) => a.rows).filter((r) => !r.ok).length;
  process.stderr.write(
    `\nWrote ${relative(ROOT, DOC)}: ${artifacts.length} suite runs, ${failing} rows not as expected${soak ? `, soak ${relative(ROOT, soak.file)}` : ''}\n`,
  );
  return status || (failing > 0 || (soak && !soak.soak.verdict.ok) ? 1 : 0);
}

process.exit(main());
