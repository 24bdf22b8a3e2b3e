import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { AccountDataSection } from '@numerai/common';

/**
 * The members of the export document, in the order it has always had (clients and
 * test/rest/account-export.e2e-spec.ts read it so). Each is filled by the feature owning its
 * table; `exported_at` is this lib's own.
 */
export const EXPORT_MEMBERS = [
  'profile',
  'consultations',
  'messages',
  'notifications',
  'read_markers',
  'sessions',
  'readings',
  'notification_preferences',
  'push_subscriptions',
  'blocks',
  'wallet',
  'live_sessions',
] as const;

/**
 * Every feature's AccountDataSection, found among the app's providers at start-up: this lib
 * reads and erases no table itself. Ordered by the first export member each fills (those
 * filling none last), so the erasure's statements run in a fixed order: the users row (its lock
 * first) before the rows that hang off it. A member no section fills, or one two fill, fails the start.
 */
@Injectable()
export class AccountDataSections implements OnModuleInit {
  private sections: AccountDataSection[] = [];

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    const found = new Set<AccountDataSection>();
    for (const wrapper of this.discovery.getProviders()) {
      if (wrapper.instance instanceof AccountDataSection) found.add(wrapper.instance);
    }
    const rank = (section: AccountDataSection) => {
      const names = section.exportMembers('').map(([name]) => EXPORT_MEMBERS.indexOf(name as never));
      return names.length === 0 ? EXPORT_MEMBERS.length : Math.min(...names);
    };
    this.sections = [...found].sort((a, b) => rank(a) - rank(b));
    const filled = this.sections.flatMap((section) => section.exportMembers('').map(([name]) => name));
    for (const name of EXPORT_MEMBERS) {
      const count = filled.filter((member) => member === name).length;
      if (count !== 1) throw new Error(`Export member "${name}" is filled by ${count} account data sections, not 1`);
    }
    const unknown = filled.filter((name) => !(EXPORT_MEMBERS as readonly string[]).includes(name));
    if (unknown.length > 0) throw new Error(`Export members not in EXPORT_MEMBERS: ${unknown.join(', ')}`);
  }

  all(): readonly AccountDataSection[] {
    return this.sections;
  }
}
