import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { AuthService, Authenticator, PasswordHasher, RegisterDto } from '@numerai/auth';
import type { AppConfig } from '@numerai/config';
import { ConsultationsService } from '@numerai/consultations';
import { dataSourceOptions, runMigrations } from '@numerai/database';
import { type UserRole } from '@numerai/common';
import { PinoNestLogger } from '@numerai/logging';
import { UsersService, type UserEntity } from '@numerai/users';
import { CliModule } from './cli.module';
import { SCHEMA } from '../schema';

/** Where the CLI writes: `out` is the answer (stdout), `err` the complaints (stderr). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** A failure the operator can fix; its message is printed as is, without a stack. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  migrate                     apply every pending database migration
  create-admin --email <email> --password <password> --name <full name>
                              create an admin user (admins cannot self-register)
  demo [--json]               create (or reuse) a demo client, a demo numerologist and an
                              active consultation between them, and print their tokens and
                              ready-to-paste wscat commands
  help                        show this text

The database and JWT secret come from the same environment as the server
(DATABASE_URL, DATA_DIR, JWT_SECRET, …; see README.md), so tokens printed here work
against a server started with the same settings.`;

export function isHelp(argv: readonly string[]): boolean {
  return argv.length === 0 || ['help', '--help', '-h'].includes(argv[0]);
}

/** Runs one command; resolves to the process exit code. Never calls process.exit itself (tests call it). */
export async function runCli(argv: readonly string[], config: AppConfig, logger: Logger, io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (isHelp(argv)) {
      io.out(USAGE);
      return command === undefined ? 2 : 0;
    }
    switch (command) {
      case 'migrate':
        parseOptions(command, rest, {});
        await migrate(config, io);
        return 0;
      case 'create-admin': {
        const options = parseOptions(command, rest, {
          email: { type: 'string' },
          password: { type: 'string' },
          name: { type: 'string' },
        });
        await withContext(config, logger, (app) => createAdmin(app, options, io));
        return 0;
      }
      case 'demo': {
        const options = parseOptions(command, rest, { json: { type: 'boolean' } });
        const demo = await withContext(config, logger, (app) => createDemo(app));
        io.out(options.json ? JSON.stringify(demo, null, 2) : formatDemo(demo, config));
        return 0;
      }
      default:
        throw new CliError(`unknown command "${command}"\n\n${USAGE}`, 2);
    }
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`error: ${error.message}`);
      return error.exitCode;
    }
    throw error;
  }
}

type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;
type Options<S extends OptionSpec> = {
  [K in keyof S]?: S[K]['type'] extends 'string' ? string : boolean;
};

function parseOptions<S extends OptionSpec>(command: string, args: string[], spec: S): Options<S> {
  try {
    return parseArgs({ args, options: spec, strict: true, allowPositionals: false }).values as Options<S>;
  } catch (error) {
    throw new CliError(`${command}: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`, 2);
  }
}

/** A Nest context with the app's own services; closed (and the database released) whatever happens. */
async function withContext<T>(
  config: AppConfig,
  logger: Logger,
  fn: (app: INestApplicationContext) => Promise<T>,
): Promise<T> {
  // Module wiring and the services' routine lines are noise for an operator; warnings and errors
  // (Nest's and the services') still reach stderr as JSON.
  const quiet = logger.child({}, { level: minLevel(logger.level, 'warn') });
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config, quiet), {
    logger: new PinoNestLogger(quiet.child({ context: 'cli' })),
    abortOnError: false,
  });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

function minLevel(current: string, floor: 'warn'): string {
  const order = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
  return order.indexOf(current) > order.indexOf(floor) ? current : floor;
}

/** `migrate`: the same migrations the server applies at start-up, applied now and listed. */
export async function migrate(config: AppConfig, io: CliIo): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions(config.database, SCHEMA));
  await dataSource.initialize();
  try {
    const applied = await runMigrations(dataSource);
    if (applied.length === 0) io.out(`Database (${config.database.kind}) is up to date.`);
    for (const migration of applied) io.out(`Applied ${migration.name}`);
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

/** `create-admin`: the registration rules (email, password length, name) with the one role nobody can register as. */
export async function createAdmin(
  app: INestApplicationContext,
  options: { email?: string; password?: string; name?: string },
  io: CliIo,
): Promise<UserEntity> {
  if (!options.email || !options.password || !options.name) {
    throw new CliError(`create-admin needs --email, --password and --name\n\n${USAGE}`, 2);
  }
  const dto = plainToInstance(RegisterDto, {
    email: options.email,
    password: options.password,
    full_name: options.name,
  });
  const problems = (await validate(dto)).flatMap((error) => Object.values(error.constraints ?? {}));
  if (problems.length > 0) throw new CliError(problems.join('; '), 2);

  const users = app.get(UsersService);
  if (await users.findByEmail(dto.email)) throw new CliError(`${dto.email} is already registered`);
  const admin = await users.create({
    email: dto.email,
    passwordHash: await app.get(PasswordHasher).hash(dto.password),
    fullName: dto.full_name,
    role: 'admin',
  });
  io.out(`Created admin ${admin.id} <${admin.email}>`);
  return admin;
}

/** The demo accounts. Their passwords are public on purpose: this is for a laptop, not production. */
export const DEMO_USERS = {
  client: {
    email: 'demo.client@example.com',
    password: 'demo-client-password',
    fullName: 'Demo Client',
    role: 'user',
  },
  numerologist: {
    email: 'demo.numerologist@example.com',
    password: 'demo-numerologist-password',
    fullName: 'Demo Numerologist',
    role: 'numerologist',
  },
} as const satisfies Record<string, { email: string; password: string; fullName: string; role: UserRole }>;

export interface DemoAccount {
  id: string;
  email: string;
  full_name: string;
  role: UserRole;
  /** Null when the account existed with a password other than the demo one. */
  password: string | null;
  access_token: string;
  /** Seconds the token stays valid (JWT_EXPIRES_IN). */
  expires_in: number;
  created: boolean;
}

export interface DemoSet {
  client: DemoAccount;
  numerologist: DemoAccount;
  consultation: { id: string; status: string; created: boolean };
}

/**
 * `demo`: one client, one numerologist, one active consultation between them. Idempotent:
 * existing demo accounts and an active consultation between them are reused.
 */
export async function createDemo(app: INestApplicationContext): Promise<DemoSet> {
  const client = await demoAccount(app, DEMO_USERS.client);
  const numerologist = await demoAccount(app, DEMO_USERS.numerologist);
  const authenticator = app.get(Authenticator);
  // Acting through the tokens just issued proves they work, and applies the same participant rules as REST.
  const clientPrincipal = await authenticator.authenticate(client.access_token);
  const numerologistPrincipal = await authenticator.authenticate(numerologist.access_token);

  const consultations = app.get(ConsultationsService);
  // The pair may hold one open consultation: reuse it (activating it if a run stopped halfway).
  const existing = await consultations.openBetween(client.id, numerologist.id);
  let consultation = existing?.status === 'active' ? existing : undefined;
  if (!consultation) {
    const scheduled = existing ?? (await consultations.create(clientPrincipal, numerologist.id, null));
    consultation = await consultations.changeStatus(scheduled.id, numerologistPrincipal, 'active');
  }
  return {
    client,
    numerologist,
    consultation: { id: consultation.id, status: consultation.status, created: !existing },
  };
}

async function demoAccount(
  app: INestApplicationContext,
  spec: (typeof DEMO_USERS)[keyof typeof DEMO_USERS],
): Promise<DemoAccount> {
  const users = app.get(UsersService);
  const hasher = app.get(PasswordHasher);
  let user = await users.findByEmail(spec.email);
  let password: string | null = spec.password;
  const created = !user;
  if (user) {
    if (user.role !== spec.role) {
      throw new CliError(`${spec.email} exists but is a ${user.role}, not a ${spec.role}; use another database`);
    }
    if (!(await hasher.verify(user.passwordHash, spec.password))) password = null;
  } else {
    user = await users.create({
      email: spec.email,
      passwordHash: await hasher.hash(spec.password),
      fullName: spec.fullName,
      role: spec.role,
    });
  }
  // A session of its own per run, so `logout-all` (or blocking the account) ends the printed tokens too.
  const token = await app.get(AuthService).session(user);
  return {
    id: user.id,
    email: user.email,
    full_name: user.fullName,
    role: user.role,
    password,
    access_token: token.access_token,
    expires_in: token.expires_in,
    created,
  };
}

/** The human-readable answer of `demo`: everything needed to open a socket within a minute. */
export function formatDemo(demo: DemoSet, config: AppConfig): string {
  const http = `http://localhost:${config.port}`;
  const ws = `ws://localhost:${config.port}`;
  const account = (title: string, a: DemoAccount) =>
    [
      `${title}${a.created ? ' (created)' : ' (reused)'}`,
      `  id:       ${a.id}`,
      `  email:    ${a.email}`,
      `  password: ${a.password ?? '(changed since the demo created it; not shown)'}`,
      `  token:    ${a.access_token}`,
    ].join('\n');
  const chatUrl = (a: DemoAccount) => `${ws}/ws/chat/${demo.consultation.id}/?token=${a.access_token}`;
  // `-y`: npx must not stop to ask. In a script wscat needs -x/-w, and a stdin that stays open
  // for the wait (`sleep 5 |`): it quits as soon as its stdin ends.
  const wscat = (url: string) => `  npx -y wscat -c "${url}"`;
  return [
    `NumerAI demo set (${config.database.kind} database; tokens expire in ${demo.client.expires_in} s — run this again for new ones)`,
    '',
    account('Client', demo.client),
    '',
    account('Numerologist', demo.numerologist),
    '',
    `Consultation (${demo.consultation.status}${demo.consultation.created ? ', created' : ', reused'})`,
    `  id:       ${demo.consultation.id}`,
    '',
    `Start the server (npm start), then chat from two terminals — the client:`,
    wscat(chatUrl(demo.client)),
    'and the numerologist:',
    wscat(chatUrl(demo.numerologist)),
    `type {"type":"chat_message","message":"Hello"} in one; the other, who received it, answers`,
    `{"type":"read_receipt","message_id":"<its data.id>"} and the sender sees the receipt.`,
    '',
    'Without a terminal (a script): send one frame, print what arrives for 2 s:',
    `  sleep 5 | npx -y wscat -c "${chatUrl(demo.client)}" -x '{"type":"chat_message","message":"Hello"}' -w 2`,
    '',
    'Notifications and presence (the client):',
    wscat(`${ws}/ws/notifications/?token=${demo.client.access_token}`),
    wscat(`${ws}/ws/presence/?token=${demo.client.access_token}`),
    '',
    'REST:',
    `  curl -H "Authorization: Bearer ${demo.client.access_token}" ${http}/api/consultations/${demo.consultation.id}`,
    `  API reference: ${http}/api/docs`,
  ].join('\n');
}
