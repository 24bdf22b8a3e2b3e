import { AUTH_SCHEMA } from '@numerai/auth';
import { AVAILABILITY_SCHEMA } from '@numerai/availability';
import { BLOCKS_SCHEMA } from '@numerai/blocks';
import { CHAT_SCHEMA } from '@numerai/chat';
import { CONSULTATIONS_SCHEMA } from '@numerai/consultations';
import { LIVE_SESSIONS_SCHEMA } from '@numerai/live-sessions';
import { collectSchema } from '@numerai/database';
import { NOTIFICATIONS_SCHEMA } from '@numerai/notifications';
import { PUSH_SCHEMA } from '@numerai/push';
import { READINGS_SCHEMA } from '@numerai/readings';
import { SCHEDULER_SCHEMA } from '@numerai/scheduler';
import { USERS_SCHEMA } from '@numerai/users';
import { WALLET_SCHEMA } from '@numerai/wallet';
import { SCHEMA_HISTORY } from './schema-history';

/**
 * The one registry of tables: every feature's entities and migrations, collected for the
 * DataSource (the app's DatabaseModule, the CLI, and ormconfig.ts for the TypeORM CLI).
 * A feature with tables adds its `*_SCHEMA` here; the migrations run in timestamp order.
 */
export const SCHEMA = collectSchema([
  SCHEMA_HISTORY,
  USERS_SCHEMA,
  AUTH_SCHEMA,
  CONSULTATIONS_SCHEMA,
  CHAT_SCHEMA,
  NOTIFICATIONS_SCHEMA,
  SCHEDULER_SCHEMA,
  READINGS_SCHEMA,
  PUSH_SCHEMA,
  BLOCKS_SCHEMA,
  AVAILABILITY_SCHEMA,
  WALLET_SCHEMA,
  LIVE_SESSIONS_SCHEMA,
]);
