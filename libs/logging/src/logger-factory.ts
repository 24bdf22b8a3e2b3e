import { Inject, Injectable } from '@nestjs/common';
import type { Level, Logger } from 'pino';
import { ROOT_LOGGER } from './root-logger.token';

/**
 * The call shapes of Nest's Logger (a message, or an Error logged with its stack) plus pino's
 * own (fields to merge into the record, then the message).
 */
export interface LogMethod {
  (message: string | Error): void;
  (fields: Record<string, unknown>, message: string): void;
}

/**
 * What a provider logs through: a child of its own app's root logger carrying `context`, so
 * the line has the shape `PinoNestLogger` gives Nest's lines (`context`, `msg`, `err`) and the
 * root logger's redaction. Unlike `new Logger(ctx)` from @nestjs/common, which writes through
 * a process-wide static that the last app created replaces, two apps in one process (tests, a
 * module's integration test) each keep their own lines.
 */
export class ContextLogger {
  readonly log = this.writer('info');
  readonly warn = this.writer('warn');
  readonly error = this.writer('error');
  readonly debug = this.writer('debug');

  constructor(private readonly pino: Logger) {}

  private writer(level: Level): LogMethod {
    return (subject: string | Error | Record<string, unknown>, message?: string) => {
      if (subject instanceof Error) this.pino[level]({ err: subject }, subject.message);
      else if (typeof subject === 'string') this.pino[level](subject);
      else this.pino[level](subject, message);
    };
  }
}

/** Hands each provider a `ContextLogger` of the app it was created in: `loggers.forContext('Presence')`. */
@Injectable()
export class LoggerFactory {
  constructor(@Inject(ROOT_LOGGER) private readonly root: Logger) {}

  forContext(context: string): ContextLogger {
    return new ContextLogger(this.root.child({ context }));
  }
}
