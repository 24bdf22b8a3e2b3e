import { ChatSender, chatReader } from './chat';
import { sleep, User, Workload } from './context';
import { NotificationTab, notificationReader, Notifier } from './notifications';
import { PresenceViewer } from './presence';
import type { StreamReader } from './reader';
import { SessionChurn } from './sessions';
import type { Cast } from './setup';

/**
 * Every client of the run: per room a writer, a resuming reader on another instance, a
 * notification reader and a tab for both participants, a presence viewer (the room's client
 * watching its numerologist); an admin producing notifications; session churn with logouts;
 * the stranger's tab (nobody may see it).
 */
export class Generator {
  private readonly senders: ChatSender[];
  private readonly readers: StreamReader[];
  private readonly tabs: NotificationTab[];
  private readonly viewers: PresenceViewer[];
  private readonly producers: Array<{ run(): Promise<void> }>;
  /** Workers that return once the run is stopping. */
  private stopping: Promise<unknown>[] = [];
  /** Tabs run until closed for good (their final state is part of the truth). */
  private tabsRunning: Promise<unknown>[] = [];

  constructor(
    private readonly w: Workload,
    private readonly cast: Cast,
  ) {
    this.senders = cast.rooms.map((room) => new ChatSender(w, room));
    const notified: Array<[User, string]> = [
      ...cast.rooms.flatMap((room): Array<[User, string]> => [
        [room.client, `client${room.index}`],
        [room.numerologist, `numerologist${room.index}`],
      ]),
      ...cast.reminders.flatMap((reminder, r) =>
        reminder.users.map((user, k): [User, string] => [user, `remindee${r}.${k}`]),
      ),
    ];
    this.readers = [
      ...cast.rooms.map((room) => chatReader(w, room, this.senders[room.index])),
      ...notified.map(([user, name]) => notificationReader(w, user, name)),
    ];
    this.tabs = [
      ...cast.rooms.flatMap((room) => [
        new NotificationTab(w, room.client, `client${room.index}`),
        new NotificationTab(w, room.numerologist, `numerologist${room.index}`),
      ]),
      new NotificationTab(w, cast.stranger, 'stranger'),
    ];
    this.viewers = cast.rooms.map((room) => new PresenceViewer(w, room.client, `client${room.index}`));
    this.producers = [
      new Notifier(
        w,
        cast.admin,
        notified.map(([user]) => user),
      ),
      new SessionChurn(
        w,
        cast.rooms.map((room) => room.client),
      ),
    ];
  }

  start(): void {
    this.stopping = [
      ...this.senders.map((sender) => sender.run()),
      ...this.readers.map((reader) => reader.run()),
      ...this.viewers.map((viewer) => viewer.run()),
      ...this.producers.map((producer) => producer.run()),
    ];
    this.tabsRunning = this.tabs.map((tab) => tab.run());
  }

  /**
   * The end of the run, once every fault is healed: writers and producers stop, then the final
   * presence state is set up — odd rooms' numerologists leave for good, even rooms' reload
   * their tab while their viewer reloads too (the viewer opens inside the contact's grace
   * period) — and every reader reads its stream to the end.
   */
  async finish(): Promise<{ readersDone: number; readersTotal: number; online: string[]; tabs: NotificationTab[] }> {
    this.w.stopping = true;
    await Promise.all(this.stopping);
    for (const room of this.cast.rooms) {
      if (room.index % 2 === 1) await this.tabs[room.index * 2 + 1].stop();
    }
    const staying = this.cast.rooms.filter((room) => room.index % 2 === 0).map((room) => this.tabs[room.index * 2 + 1]);
    for (const tab of staying) tab.wanted = false;
    await Promise.all(staying.map((tab) => tab.reload()));
    await sleep(1000);
    await Promise.all(this.viewers.map((viewer) => viewer.reopen()));
    await sleep(1000);
    for (const tab of staying) tab.wanted = true;
    let done = 0;
    for (const reader of this.readers) if (await reader.finish()) done++;
    return { readersDone: done, readersTotal: this.readers.length, online: [], tabs: this.tabs };
  }

  /** Who holds at least one open socket now, by the clients' own account. */
  onlineNow(): string[] {
    const online = new Set<string>();
    for (const tab of this.tabs) if (tab.socket?.open) online.add(tab.user.id);
    for (const viewer of this.viewers) if (viewer.socket?.open) online.add(viewer.user.id);
    return [...online];
  }

  /** Closes every remaining socket. */
  async close(): Promise<void> {
    await Promise.all([...this.tabs.map((tab) => tab.stop()), ...this.viewers.map((viewer) => viewer.stop())]);
    await Promise.all(this.tabsRunning);
  }

  /** Every viewer's contacts: the checker flags anyone else shown to it. */
  contacts(): Record<string, string[]> {
    return Object.fromEntries(this.cast.rooms.map((room) => [room.client.id, [room.numerologist.id]]));
  }
}
