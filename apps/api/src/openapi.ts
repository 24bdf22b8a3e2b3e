import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@numerai/config';
import { createRootLogger } from '@numerai/logging';
import { AppModule } from './app.module';
import { createOpenApiDocument } from './openapi-document';

/**
 * `npm run openapi [-- <file>]`: writes the OpenAPI document /api/docs-json serves (default
 * dist/openapi.json) without a database, Redis or a listening port. Nest's preview mode reads
 * the modules and their controllers' metadata, which is all the document is made of, and
 * instantiates nothing. The configuration is the defaults (not this shell's environment), so
 * the file is the same wherever it is written.
 */
async function main(file: string): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'numerai-openapi-'));
  try {
    const config = loadConfig({ DATA_DIR: dataDir, JWT_SECRET: randomBytes(32).toString('hex') });
    const app = await NestFactory.create(AppModule.forRoot(config, createRootLogger('warn')), {
      preview: true,
      logger: false,
    });
    writeFileSync(file, `${JSON.stringify(createOpenApiDocument(app), null, 2)}\n`);
    await app.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main(process.argv[2] ?? join('dist', 'openapi.json')).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
