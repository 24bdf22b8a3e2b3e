import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';

/**
 * Paths pino blanks in every record: credentials must never reach a log line,
 * whoever logs the object.
 */
const REDACT = [
  'password',
  'token',
  'access_token',
  'refresh_token',
  'current_password',
  'new_password',
  '*.password',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.current_password',
  '*.new_password',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
];

export function createRootLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      redact: { paths: REDACT, censor: '[redacted]' },
      serializers: { err: serializeError },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ sync: false }),
  );
}

/**
 * Errors as pino's standard serializer writes them, less the bound SQL parameters that a
 * TypeORM QueryFailedError carries: they are the row being written (message text,
 * notification content, password hashes), and a failed query logged them all.
 */
function serializeError(error: unknown): unknown {
  const out = pino.stdSerializers.err(error as Error) as unknown;
  if (out && typeof out === 'object' && 'parameters' in out) delete (out as { parameters?: unknown }).parameters;
  return out;
}

const SECRET_PARAMS = new Set(['token', 'access_token', 'refresh_token']);

/**
 * Strips credentials from a URL before it is logged (`?token=` is how browsers authenticate
 * sockets). Keys are compared decoded, as URLSearchParams reads them when authenticating:
 * `?%74oken=<jwt>` is a token too, and a pattern on the raw text let it through.
 */
export function redactUrl(url: string | undefined): string {
  if (!url) return '';
  const start = url.indexOf('?');
  if (start < 0) return url;
  const hash = url.indexOf('#', start);
  const end = hash < 0 ? url.length : hash;
  const query = url
    .slice(start + 1, end)
    .split('&')
    .map((pair) => {
      const key = pair.split('=', 1)[0];
      return SECRET_PARAMS.has(decodeKey(key).toLowerCase()) ? `${key}=[redacted]` : pair;
    });
  return `${url.slice(0, start + 1)}${query.join('&')}${url.slice(end)}`;
}

function decodeKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}

/**
 * Nest's own narration of start-up: a line per module, per controller and per route (some 90 in
 * all), then "successfully started". Logged at debug, so that at the default level start-up
 * shows the configuration warnings and our "listening" line rather than burying them.
 */
const FRAMEWORK_NARRATORS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'WebSocketsController',
  'NestApplication',
]);

/** Nest's logger interface on top of pino, so framework and application logs share one JSON stream. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    const level = context !== undefined && FRAMEWORK_NARRATORS.has(context) ? 'debug' : 'info';
    this.logger[level]({ context }, stringify(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    if (message instanceof Error) {
      this.logger.error({ context, err: message }, message.message);
      return;
    }
    this.logger.error({ context, trace }, stringify(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, stringify(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, stringify(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, stringify(message));
  }
  fatal(message: unknown, context?: string): void {
    this.logger.fatal({ context }, stringify(message));
  }
}

function stringify(message: unknown): string {
  return typeof message === 'string' ? message : JSON.stringify(message);
}
