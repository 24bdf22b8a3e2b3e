import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, MoreThan, Not, IsNull, Repository } from 'typeorm';
import { engineOf, newId } from '@numerai/database';
import { WalletService } from '@numerai/wallet';
import { LiveSessionEntity } from './live-session.entity';
import type { SessionPlan } from './session-plans';

const OPEN = In(['requested', 'active', 'paused']);

/** The live_sessions table. Every change after the insert is a `transition`: compare-and-set on `version`. */
@Injectable()
export class LiveSessionsRepository {
  constructor(
    @InjectRepository(LiveSessionEntity) private readonly rows: Repository<LiveSessionEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly wallets: WalletService,
  ) {}

  findById(id: string): Promise<LiveSessionEntity | null> {
    return this.rows.findOneBy({ id });
  }

  findOpen(consultationId: string): Promise<LiveSessionEntity | null> {
    return this.rows.findOneBy({ consultationId, status: OPEN });
  }

  /** The consultation's newest session, open or over. */
  latest(consultationId: string): Promise<LiveSessionEntity | null> {
    return this.rows.findOne({ where: { consultationId }, order: { requestedAt: 'DESC', id: 'DESC' } });
  }

  /** Open sessions by id after `afterId`, with their consultation: what the clock looks at. */
  openPage(afterId: string | undefined, limit: number): Promise<LiveSessionEntity[]> {
    return this.rows.find({
      where: { status: OPEN, ...(afterId ? { id: MoreThan(afterId) } : {}) },
      relations: { consultation: true },
      order: { id: 'ASC' },
      take: limit,
    });
  }

  /** The client's running sessions (a top-up extends them). */
  runningOfClient(clientId: string): Promise<LiveSessionEntity[]> {
    return this.rows.find({ where: { clientId, status: In(['active', 'paused']) }, take: 10 });
  }

  /** Whether the client ever had a session that started (free minutes are for the first one only). */
  async hasStarted(clientId: string): Promise<boolean> {
    return (await this.rows.countBy({ clientId, startedAt: Not(IsNull()) })) > 0;
  }

  /** A new request; a unique violation when the consultation has an open session already. */
  async insert(
    values: Pick<
      LiveSessionEntity,
      'consultationId' | 'clientId' | 'numerologistId' | 'rateMinor' | 'earningMinor' | 'freeMinutes'
    > & { requestedAt: Date; expiresAt: Date },
  ): Promise<LiveSessionEntity> {
    const row = this.rows.create({ id: newId(), status: 'requested', version: 0, ...values });
    await this.rows.insert(row);
    return (await this.findById(row.id))!;
  }

  /**
   * Applies `plan` if the session is still at `session.version`, its money and the row's change
   * in one transaction (WalletService.settle): true if this call made the change. False if
   * another change came first, or a charge was short (the caller reads the row again to tell).
   */
  transition(session: Pick<LiveSessionEntity, 'id' | 'version'>, plan: SessionPlan): Promise<boolean> {
    const columns = Object.keys(plan.changes);
    const lock =
      engineOf(this.dataSource) === 'postgres'
        ? [{ sql: 'SELECT id FROM live_sessions WHERE id = ? FOR UPDATE', params: [session.id] }]
        : [];
    return this.wallets.settle({
      first: lock,
      condition: {
        sql: 'EXISTS (SELECT 1 FROM live_sessions WHERE id = ? AND version = ?)',
        params: [session.id, session.version],
      },
      transfers: plan.transfers,
      then: (moved) => [
        {
          sql: `UPDATE live_sessions SET ${columns.map((column) => `${column} = ?`).join(', ')}, version = version + 1
                WHERE id = ? AND version = ? AND ${moved.sql} RETURNING id`,
          params: [...columns.map((column) => plan.changes[column]), session.id, session.version, ...moved.params],
        },
      ],
    });
  }
}
