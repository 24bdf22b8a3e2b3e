import { captureLogs } from './captured-logs';

/** A context logger's records: Nest's call shapes, pino's record, the root logger's redaction. */
describe('LoggerFactory', () => {
  const records = (lines: string[]) => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

  it('writes each call shape the providers use, with its context', () => {
    const { lines, loggers } = captureLogs();
    const logger = loggers.forContext('Presence');
    logger.log('3 user(s) went offline');
    logger.warn('re-registering');
    logger.debug('upkeep failed');
    logger.error(new TypeError('boom'));
    logger.error({ url: '/ws/chat/1/' }, 'admission failed');
    expect(records(lines)).toEqual([
      expect.objectContaining({ level: 'info', context: 'Presence', msg: '3 user(s) went offline' }),
      expect.objectContaining({ level: 'warn', context: 'Presence', msg: 're-registering' }),
      expect.objectContaining({ level: 'debug', context: 'Presence', msg: 'upkeep failed' }),
      expect.objectContaining({
        level: 'error',
        context: 'Presence',
        msg: 'boom',
        err: expect.objectContaining({ type: 'TypeError', message: 'boom', stack: expect.any(String) }),
      }),
      expect.objectContaining({ level: 'error', context: 'Presence', msg: 'admission failed', url: '/ws/chat/1/' }),
    ]);
  });

  it('honours the root level and redacts credentials in merged fields', () => {
    const { lines, loggers } = captureLogs('info');
    const logger = loggers.forContext('Auth');
    logger.debug('below the level');
    logger.warn({ token: 'secret-token', user: { password: 'hunter2' } }, 'login refused');
    expect(lines.join('\n')).not.toMatch(/below the level|secret-token|hunter2/);
    expect(records(lines)).toEqual([
      expect.objectContaining({ msg: 'login refused', token: '[redacted]', user: { password: '[redacted]' } }),
    ]);
  });

  it('gives two roots two separate streams', () => {
    const first = captureLogs();
    const second = captureLogs();
    first.loggers.forContext('A').log('first');
    second.loggers.forContext('A').log('second');
    expect(records(first.lines).map((record) => record.msg)).toEqual(['first']);
    expect(records(second.lines).map((record) => record.msg)).toEqual(['second']);
  });
});
