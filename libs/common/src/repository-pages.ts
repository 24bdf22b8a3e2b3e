import { FindOptionsWhere, MoreThan, Repository } from 'typeorm';
import { keysetPages } from './json-stream';

/** Pages of `where`'s rows by a `key` unique among them, ascending, `size` rows at a time. */
export function ascendingPages<T extends object, K extends keyof T & string>(
  repository: Repository<T>,
  where: FindOptionsWhere<T>,
  key: K,
  size: number,
): AsyncGenerator<T[]> {
  return keysetPages<T>(size, (after, take) =>
    repository.find({
      where: { ...where, ...(after ? { [key]: MoreThan(after[key]) } : {}) } as FindOptionsWhere<T>,
      order: { [key]: 'ASC' } as never,
      take,
    }),
  );
}
