import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ConnectionRefused, http, startTestApp, testClient, waitFor, type TestApp } from '@numerai/testing';

/** A log line, parsed. */
interface LogRecord {
  level: string;
  context?: string;
  msg: string;
  url?: string;
}
const records = (app: TestApp) => app.logs.map((line) => JSON.parse(line) as LogRecord);

/**
 * Two apps in one process (the suites do it, and so does any module's integration test): each
 * app's providers log to that app's logger. Nest's static Logger belongs to the app created
 * last, which used to receive the first app's lines.
 */
describe('logging: each app in a process keeps its own log', () => {
  let first: TestApp;
  let second: TestApp;
  beforeAll(async () => {
    // At debug, where Nest's own start-up lines are logged (see PinoNestLogger).
    const env = { LOG_LEVEL: 'debug' };
    first = await startTestApp({ env });
    // Created after the first: with Nest's static Logger it would now own every provider's lines.
    second = await startTestApp({ env });
  });
  afterAll(() => Promise.all([first?.close(), second?.close()]));

  it("a provider's line lands in its own app's log, not in the app created after it", async () => {
    const client = testClient(first);
    const { consultation, client: user } = await client.createConsultation();
    const sql = (statement: string) => first.app.get(DataSource).query(statement);
    // A real admission failure in the first app: UpgradeGate logs it.
    await sql('ALTER TABLE consultations RENAME TO consultations_away');
    try {
      const refused = await client.chat(user, consultation.id).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ConnectionRefused);
      expect((refused as ConnectionRefused).closeCode).toBe(1011);
    } finally {
      await sql('ALTER TABLE consultations_away RENAME TO consultations');
    }
    const failures = (app: TestApp) => records(app).filter((record) => record.msg === 'admission failed');
    await waitFor('the admission failure in the first app’s log', () => failures(first).length > 0);
    expect(failures(first)).toEqual([
      expect.objectContaining({
        level: 'error',
        context: 'UpgradeGate',
        url: expect.stringContaining('token=[redacted]'),
      }),
    ]);

    // The second app's log is read once a request sent to it after the failure is in it.
    const marker = randomUUID();
    expect((await http(second.httpUrl, 'GET', `/health?marker=${marker}`)).status).toBe(200);
    await waitFor('the marker request in the second app’s log', () =>
      records(second).some((record) => record.url?.includes(marker)),
    );
    expect(failures(second)).toEqual([]);
    expect(records(first).some((record) => record.url?.includes(marker))).toBe(false);
  });

  it("Nest's own start-up lines still reach each app's log", () => {
    for (const app of [first, second]) {
      expect(records(app)).toContainEqual(
        expect.objectContaining({ context: 'NestApplication', msg: 'Nest application successfully started' }),
      );
    }
  });
});
