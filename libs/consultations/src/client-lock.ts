import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/**
 * Runs one client's "count, then insert" alone, so concurrent requests cannot all fit
 * under a cap. PostgreSQL (any number of instances): a transaction-scoped advisory lock
 * keyed by the client. SQLite: this process is the file's only writer, so a per-client
 * queue in memory serialises it (TypeORM's SQLite transactions share one connection and
 * would interleave other requests' statements).
 */
@Injectable()
export class ClientLock {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  run<T>(clientId: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.dataSource.options.type === 'postgres') {
      return this.dataSource.transaction(async (manager) => {
        await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`consultations:${clientId}`]);
        return work(manager);
      });
    }
    const previous = this.queues.get(clientId) ?? Promise.resolve();
    const result = previous.then(() => work(this.dataSource.manager));
    const tail = result.catch(() => undefined);
    this.queues.set(clientId, tail);
    // The map holds only clients with work in flight.
    void tail.then(() => {
      if (this.queues.get(clientId) === tail) this.queues.delete(clientId);
    });
    return result;
  }
}
