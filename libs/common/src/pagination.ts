import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';

/** `?before=<id>&limit=` keyset pagination shared by every "newest first" list. */
export class PageQuery {
  @IsOptional()
  @IsUUID()
  before?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

/**
 * The largest stream position: `seq` columns are 32-bit integers on PostgreSQL, so a larger
 * one given by a client would make the query itself fail (a 500). Refused as input instead.
 */
export const SEQ_MAX = 2_147_483_647;

/** `?after_seq=` on top of PageQuery: oldest first from a position on (paging the rest of a replay). */
export class AfterSeqQuery extends PageQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'after_seq must be a whole number' })
  @Min(0, { message: 'after_seq must be 0 or more' })
  @Max(SEQ_MAX, { message: `after_seq must be at most ${SEQ_MAX}` })
  after_seq?: number;
}

export interface Page<T> {
  items: T[];
  next_before: string | null;
}

export const DEFAULT_PAGE_SIZE = 50;

/** Rows were fetched with limit + 1 to learn whether another page exists without a count query. */
export function toPage<Row extends { id: string }, View>(
  rows: Row[],
  limit: number,
  view: (row: Row) => View,
): Page<View> {
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : rows;
  return { items: items.map(view), next_before: hasMore ? items[items.length - 1].id : null };
}
