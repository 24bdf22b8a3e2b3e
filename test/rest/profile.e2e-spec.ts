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

  it.each([
    [{ birth_date: '2023-02-30' }, 'birth_date must be a real calendar date'],
    [{ birth_date: '15/07/1990' }, 'birth_date must be a date as YYYY-MM-DD'],
    [{ birth_date: '2999-01-01' }, 'birth_date must not be in the future'],
    [{ time_zone: 'Mars/Olympus_Mons' }, 'time_zone must be an IANA time zone name'],
    [{ time_zone: '+02:00' }, 'time_zone must be an IANA time zone name'],
    [{ full_name: '' }, 'full_name must not be empty'],
    [{ full_name: null }, 'full_name must be a string'],
    [{ birth_name: 'x'.repeat(201) }, 'birth_name must be shorter than or equal to 200 characters'],
    [{ role: 'admin' }, 'property role should not exist'],
  ])('400 for %j, naming the field', async (body, message) => {
    expectError(await patch(body), 400, message);
    expectUser((await me()).body, { id: user.id, full_name: user.name, role: 'user' });
  });

  it('401 without a token', async () => {
    expectError(await http(server.httpUrl, 'PATCH', '/api/users/me', { body: { full_name: 'x' } }), 401);
  });
});
