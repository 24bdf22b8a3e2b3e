import { Injectable, Module } from '@nestjs/common';
import { DiscoveryModule, NestFactory } from '@nestjs/core';
import { AccountDataSection, type AccountErasure, type JsonMember } from '@numerai/common';
import { AccountDataSections, EXPORT_MEMBERS } from './account-data-sections';

/** A section filling `names`, erasing with one statement named after its first. */
function section(names: readonly string[]) {
  @Injectable()
  class Section extends AccountDataSection {
    exportMembers(): JsonMember[] {
      return names.map((name) => [name, []]);
    }
    erasure(): AccountErasure {
      return { statements: [{ sql: names[0] ?? 'last' }] };
    }
  }
  return Section;
}

async function start(sections: ReturnType<typeof section>[]) {
  @Module({ providers: sections })
  class Features {}
  @Module({ imports: [DiscoveryModule, Features], providers: [AccountDataSections] })
  class App {}
  const app = await NestFactory.createApplicationContext(App, { logger: false, abortOnError: false });
  try {
    return app.get(AccountDataSections);
  } finally {
    await app.close();
  }
}

describe('AccountDataSections', () => {
  it('finds every section among the providers, ordered by the first export member each fills', async () => {
    const found = await start([
      section([]),
      section(EXPORT_MEMBERS.slice(5)),
      section(EXPORT_MEMBERS.slice(1, 5)),
      section(EXPORT_MEMBERS.slice(0, 1)),
    ]);
    const firsts = found
      .all()
      .map((s) => s.erasure({ userId: 'u', engine: 'sqlite', at: new Date() }).statements[0].sql);
    expect(firsts).toEqual(['profile', 'consultations', 'sessions', 'last']);
  });

  it('refuses to start when a member is filled by no section, or by two', async () => {
    await expect(start([section(EXPORT_MEMBERS.slice(1))])).rejects.toThrow('"profile" is filled by 0');
    await expect(start([section(EXPORT_MEMBERS), section(['blocks'])])).rejects.toThrow('"blocks" is filled by 2');
  });
});
