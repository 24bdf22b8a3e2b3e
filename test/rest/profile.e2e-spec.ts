import { createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { ENGINE, expectError, expectUser, noteSkippedPostgres } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';

noteSkippedPostgres('rest: profile');

describe(`REST profile: PATCH /api/users/me (${ENGINE})`, () => {
  let server: TestServer;
  let user: TestUser;
  const patch = (body: unknown, token: string | undefined = user.token) =>
    http(server.httpUrl, 'PATCH', '/api/users/me', { token, body });
  const me = () => http(server.httpUrl, 'GET', '/api/users/me', { token: user.token });

  beforeAll(async () => {
    server = await startTestServer();
  });
  beforeEach(async () => {
    user = await createUser(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('sets every profile field, answers the user, and GET /api/users/me shows them', async () => {
    const res = await patch({
      full_name: '  Ada King ',
      birth_date: '1815-12-10',
      birth_name: 'Augusta Ada Byron',
      time_zone: 'europe/london',
    });
    expect(res.status).toBe(200);
    const expected = {
      id: user.id,
      full_name: 'Ada King',
      birth_date: '1815-12-10',
      birth_name: 'Augusta Ada Byron',
      time_zone: 'Europe/London',
    };
    expect(res.body).toEqual(expect.objectContaining(expected));
    expect((await me()).body).toEqual(res.body);
  });

  it('leaves absent fields alone, clears a field sent as null, and keeps the published user shape without them', async () => {
    await patch({ birth_date: '1990-07-15', time_zone: 'Asia/Tokyo' });
    const res = await patch({ birth_date: null });
    expect(res.status).toBe(200);
    expect(res.body.time_zone).toBe('Asia/Tokyo');
    expect(res.body).not.toHaveProperty('birth_date');
    await patch({ time_zone: null });
    expectUser((await me()).body, { id: user.id, full_name: user.name });
  });

  it.each(['0001-01-01', '0050-06-15', '0099-12-31', '0004-02-29'])(
    'accepts the birth date %s (years 0001–0099 are real dates, not 1900–1999)',
    async (birthDate) => {
      const res = await patch({ birth_date: birthDate });
      expect(res.status).toBe(200);
      expect((await me()).body.birth_date).toBe(birthDate);
    },
  );

  it.each([
    [{ birth_date: '2023-02-30' }, 'birth_date must be a real calendar date'],
    [{ birth_date: '0000-01-01' }, 'birth_date must be a real calendar date'],
    [{ birth_date: '0100-02-29' }, 'birth_date must be a real calendar date'],
    [{ birth_date: '15/07/1990' }, 'birth_date must be a date as YYYY-MM-DD'],
    [{ birth_date: '2999-01-01' }, 'birth_date must not be in the future'],
    [{ time_zone: 'Mars/Olympus_Mons' }, 'time_zone must be an IANA time zone name'],
    [{ time_zone: '+02:00' }, 'time_zone must be an IANA time zone name'],
    [{ full_name: '' }, 'full_name must not be empty'],
    [{ full_name: null }, 'full_name must be a string'],
    [{ full_name: ' \t\n ' }, 'full_name must contain a visible character'],
    [{ full_name: '\u200B\u200C\u200D\u2060\uFEFF' }, 'full_name must contain a visible character'],
    [{ full_name: '\u00A0\u200E\u3000\u200B ' }, 'full_name must contain a visible character'],
    [{ birth_name: ' \u200B ' }, 'birth_name must contain a visible character'],
    [{ birth_name: 'x'.repeat(201) }, 'birth_name must be shorter than or equal to 200 characters'],
    [{ role: 'admin' }, 'property role should not exist'],
  ])('400 for %j, naming the field', async (body, message) => {
    expectError(await patch(body), 400, message);
    expectUser((await me()).body, { id: user.id, full_name: user.name, role: 'user' });
  });

  it('registration refuses a full_name that is blank or only zero-width characters, and accepts one with a letter among them', async () => {
    const register = (fullName: string) =>
      http(server.httpUrl, 'POST', '/api/auth/register', {
        body: {
          email: `blank-${Math.random().toString(36).slice(2)}@example.com`,
          password: 'a-long-password',
          full_name: fullName,
        },
      });
    for (const blank of ['   ', '\u200B\u200D', '\uFEFF\u2060 \u200C']) {
      expectError(await register(blank), 400, 'full_name must contain a visible character');
    }
    const named = await register('\u200B Zoë \u200B');
    expect(named.status).toBe(201);
    expect(named.body.user.full_name).toContain('Zoë');
  });

  it('401 without a token', async () => {
    expectError(await http(server.httpUrl, 'PATCH', '/api/users/me', { body: { full_name: 'x' } }), 401);
  });
});
