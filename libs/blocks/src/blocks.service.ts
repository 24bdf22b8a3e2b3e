import { Injectable, OnModuleInit } from '@nestjs/common';
import {
  ConflictError,
  DEFAULT_PAGE_SIZE,
  NotAllowedError,
  NotFoundError,
  type Page,
  type PageQuery,
  type Principal,
  toPage,
} from '@numerai/common';
import { ConsultationsService } from '@numerai/consultations';
import { UsersService } from '@numerai/users';
import { BlocksRepository } from './blocks.repository';
import { BlockView, toBlockView } from './block.view';

/** What a blocked client is told when they try to book. */
export const BLOCKED_BOOKING = 'This numerologist does not accept bookings from you';

/**
 * A numerologist blocks a client they know of: the client can no longer book them (nor can a
 * consultation between them be accepted), and their open consultation is cancelled the normal
 * way, so both sides see it and the two stop being contacts (presence ends at once). With no
 * open consultation and no booking, nothing the client does reaches the numerologist.
 */
@Injectable()
export class BlocksService implements OnModuleInit {
  constructor(
    private readonly blocks: BlocksRepository,
    private readonly consultations: ConsultationsService,
    private readonly users: UsersService,
  ) {}

  onModuleInit(): void {
    this.consultations.addBookingGuard({
      refusal: async (clientId, numerologistId) =>
        (await this.blocks.exists(numerologistId, clientId)) ? BLOCKED_BOOKING : null,
    });
  }

  async block(numerologist: Principal, clientId: string): Promise<{ block: BlockView; created: boolean }> {
    if (numerologist.role !== 'numerologist') throw new NotAllowedError('Only a numerologist can block a client');
    // Only a client they know of: anyone else is not found, so the endpoint tells nobody who exists.
    const client = await this.users.findById(clientId);
    if (!client || !(await this.consultations.haveMet(clientId, numerologist.id))) {
      throw new NotFoundError('Client not found');
    }
    const { block, created } = await this.blocks.add(numerologist.id, clientId);
    // Every time, a repeat too: it finishes a block whose cancellation failed half-way.
    await this.cancelOpenConsultation(numerologist, clientId);
    return { block: toBlockView(block, client.fullName), created };
  }

  async unblock(numerologistId: string, clientId: string): Promise<void> {
    await this.blocks.remove(numerologistId, clientId);
  }

  async list(numerologistId: string, query: PageQuery): Promise<Page<BlockView>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.blocks.pageOf(numerologistId, { before: query.before, limit });
    const names = new Map(
      (await this.users.findByIds(rows.map((row) => row.blockedId))).map((u) => [u.id, u.fullName]),
    );
    return toPage(rows, limit, (row) => toBlockView(row, names.get(row.blockedId) ?? ''));
  }

  /**
   * Through ConsultationsService.changeStatus, as the numerologist: the lifecycle notification,
   * the chat's system message and the end of the contact all follow as for any cancellation.
   * The block is stored first, so no booking can start after this looked; a status change
   * racing it (409) is looked at once more.
   */
  private async cancelOpenConsultation(numerologist: Principal, clientId: string): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const open = await this.consultations.openBetween(clientId, numerologist.id);
      if (!open) return;
      try {
        await this.consultations.changeStatus(open.id, numerologist, 'cancelled');
        return;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
    }
  }
}
