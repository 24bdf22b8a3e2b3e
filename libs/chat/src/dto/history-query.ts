import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { AfterSeqQuery, SEQ_MAX } from '@numerai/common';

/**
 * `GET /api/consultations/:id/messages`: newest first before `before` (a message id) or
 * `before_seq`, or oldest first from `after_seq` on — one of them at most.
 */
export class HistoryQuery extends AfterSeqQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'before_seq must be a whole number' })
  @Min(1, { message: 'before_seq must be 1 or more' })
  @Max(SEQ_MAX, { message: `before_seq must be at most ${SEQ_MAX}` })
  before_seq?: number;
}

/** How many of the mutually exclusive positions a query names. */
export function positionsNamed(query: HistoryQuery): number {
  return [query.before, query.before_seq, query.after_seq].filter((value) => value !== undefined).length;
}
