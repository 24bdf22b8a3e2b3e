import { InitialSchema1732400000000 } from './1732400000000-initial-schema';
import { StreamPositions1733000000000 } from './1733000000000-stream-positions';
import { Sessions1733100000000 } from './1733100000000-sessions';
import { ConsultationConsentAndForeignKeys1733200000000 } from './1733200000000-consultation-consent-and-foreign-keys';
import { ProductProfilesReadings1733300000000 } from './1733300000000-product-profiles-readings';
import { ChatSystemMessages1733500000000 } from './1733500000000-chat-system-messages';
import { PushSubscriptions1733600000000 } from './1733600000000-push-subscriptions';
import { UserBlocks1733750000000 } from './1733750000000-user-blocks';
import { ErasureAndCollapsedNotifications1733780000000 } from './1733780000000-erasure-and-collapsed-notifications';

/** Every migration, oldest first. Add new ones here; they run automatically at start-up. */
export const MIGRATIONS = [
  InitialSchema1732400000000,
  StreamPositions1733000000000,
  Sessions1733100000000,
  ConsultationConsentAndForeignKeys1733200000000,
  ProductProfilesReadings1733300000000,
  ChatSystemMessages1733500000000,
  PushSubscriptions1733600000000,
  UserBlocks1733750000000,
  ErasureAndCollapsedNotifications1733780000000,
];
