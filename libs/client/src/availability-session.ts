import type { AvailabilityStatus, AvailableNumerologist, ServerFrame } from '@numerai/protocol';
import type { KeepAliveOptions } from './connection';
import { EndpointSession } from './session';
import type { AvailabilityWebSocketOptions, Unsubscribe } from './types';

/**
 * The public listing of numerologists available for a live session, `/ws/availability/`, kept
 * here as a list: each connection starts with the first `available_page`, the session asks for
 * the following pages itself (at most `maxPages`), and `availability_changed` frames add, update
 * and remove entries. Nothing to resume: a new connection's first page replaces the list.
 */
export class AvailabilitySession extends EndpointSession<'availability'> {
  private readonly entries = new Map<string, AvailableNumerologist>();
  private readonly listHandlers = new Set<(list: AvailableNumerologist[]) => void>();
  private readonly maxPages: number;
  /** Pages received on this connection; 0 until its first, which replaces the list. */
  private pages = 0;

  constructor(token: string | null | undefined, options: AvailabilityWebSocketOptions & KeepAliveOptions = {}) {
    super('availability', token, options);
    this.maxPages = options.maxPages ?? 100;
    this.connection.onConnect(() => {
      this.pages = 0;
    });
    this.start(options);
  }

  /** The numerologists available now, by id. */
  get numerologists(): AvailableNumerologist[] {
    return [...this.entries.values()].sort((a, b) => (a.user_id < b.user_id ? -1 : 1));
  }

  /** Calls `cb` with the whole list each time it changes. */
  onListChange(cb: (list: AvailableNumerologist[]) => void): Unsubscribe {
    this.listHandlers.add(cb);
    return () => this.listHandlers.delete(cb);
  }

  /** Numerologists only: become available, busy or offline; the server answers `availability_set`. */
  setStatus(status: AvailabilityStatus): void {
    this.send('set_availability', { status });
  }

  protected override receive(frame: ServerFrame): void {
    if (frame.type === 'available_page') {
      if (this.pages++ === 0) this.entries.clear();
      for (const item of frame.items) this.entries.set(item.user_id, item);
      if (frame.next_cursor && this.pages < this.maxPages) this.send('list_available', { cursor: frame.next_cursor });
      this.listChanged();
    } else if (frame.type === 'availability_changed') {
      const { type: _type, status, ...entry } = frame;
      if (status === 'available') this.entries.set(entry.user_id, entry);
      else this.entries.delete(entry.user_id);
      this.listChanged();
    }
    super.receive(frame);
  }

  private listChanged(): void {
    const list = this.numerologists;
    for (const handler of this.listHandlers) {
      try {
        handler(list);
      } catch (error) {
        this.connection.report(error);
      }
    }
  }
}
