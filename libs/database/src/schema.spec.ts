import type { MigrationInterface } from 'typeorm';
import { collectSchema, type MigrationClass } from './schema';

const migration = (name: string): MigrationClass => {
  const named = {
    [name]: class implements MigrationInterface {
      up = () => Promise.resolve();
      down = () => Promise.resolve();
    },
  };
  return named[name];
};
class OneEntity {}
class OtherEntity {}

describe('collectSchema', () => {
  it('orders the migrations of all features by timestamp, whatever order the features come in', () => {
    const [a, b, c] = ['First1000000000000', 'Second2000000000000', 'Third3000000000000'].map(migration);
    const schema = collectSchema([
      { entities: [OtherEntity], migrations: [c, a] },
      { entities: [OneEntity], migrations: [b] },
    ]);
    expect(schema.migrations).toEqual([a, b, c]);
    expect(schema.entities).toEqual([OtherEntity, OneEntity]);
  });

  it('refuses two migrations with one timestamp, and a class name without one', () => {
    const one = migration('One1000000000000');
    const other = migration('Other1000000000000');
    expect(() =>
      collectSchema([
        { entities: [], migrations: [one] },
        { entities: [], migrations: [other] },
      ]),
    ).toThrow('share the timestamp 1000000000000');
    expect(() => collectSchema([{ entities: [], migrations: [migration('NoTimestamp')] }])).toThrow(
      'must end with a 13-digit timestamp',
    );
  });
});
