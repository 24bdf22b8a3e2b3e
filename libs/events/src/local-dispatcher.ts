import type { ContextLogger } from '@numerai/logging';
import type { DomainEvent, DomainEventHandler, DomainEventName } from './domain-events';

type AnyHandler = (payload: unknown, event: DomainEvent) => void;

/** The subscriber table both bus implementations deliver through; one failing handler never starves the others. */
export class LocalDispatcher {
  private readonly everywhere = new Map<DomainEventName, AnyHandler[]>();
  private readonly originOnly = new Map<DomainEventName, AnyHandler[]>();

  /** `logger`: the owning bus's. */
  constructor(private readonly logger: ContextLogger) {}

  add<K extends DomainEventName>(name: K, handler: DomainEventHandler<K>, originOnly: boolean): void {
    const table = originOnly ? this.originOnly : this.everywhere;
    const list = table.get(name) ?? [];
    list.push(handler as unknown as AnyHandler);
    table.set(name, list);
  }

  dispatch(event: DomainEvent, isOrigin: boolean): void {
    this.run(this.everywhere.get(event.name), event);
    if (isOrigin) this.run(this.originOnly.get(event.name), event);
  }

  private run(handlers: AnyHandler[] | undefined, event: DomainEvent): void {
    if (!handlers) return;
    for (const handler of handlers) {
      try {
        handler(event.payload, event);
      } catch (error) {
        this.logger.error(error instanceof Error ? error : String(error));
      }
    }
  }
}
