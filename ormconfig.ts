import { DataSource } from 'typeorm';
import { loadConfig } from '@numerai/config';
import { dataSourceOptions } from '@numerai/database';
import { SCHEMA } from './apps/api/src/schema';

/** The DataSource the TypeORM CLI uses (`npm run migration:run`); the app migrates itself at start-up. */
export default new DataSource(dataSourceOptions(loadConfig().database, SCHEMA));
