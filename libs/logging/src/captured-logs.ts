import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createRootLogger } from './logger';
import { LoggerFactory } from './logger-factory';

/** A root logger that keeps its JSON lines in memory, for tests that check what is (not) logged. */
export interface CapturedLogs {
  /** Every line written so far, oldest first. */
  lines: string[];
  root: Logger;
  /** Hands out context loggers of `root`, as the app's LoggingModule does. */
  loggers: LoggerFactory;
}

export function captureLogs(level = 'debug'): CapturedLogs {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const root = createRootLogger(level, sink);
  return { lines, root, loggers: new LoggerFactory(root) };
}
