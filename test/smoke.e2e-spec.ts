import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@numerai/config';
import { createRootLogger } from '@numerai/logging';
import { createApp } from '../apps/api/src/bootstrap';

test('boots', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'numerai-'));
  const config = loadConfig({ DATA_DIR: dir, PORT: '0' });
  const app = await createApp({ config, logger: createRootLogger('silent') });
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  const res = await fetch(`${url.replace('[::1]', '127.0.0.1')}/health`);
  expect(await res.json()).toEqual({ status: 'ok', checks: { database: 'up' } });
  await app.close();
});
