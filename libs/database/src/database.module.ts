import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '@numerai/config';
import { dataSourceOptions } from './data-source-options';
import { runMigrations } from './migrate';
import type { FeatureSchema } from './schema';
import { SqliteCheckpointer } from './sqlite-checkpointer';

/** The one DataSource, migrated before anything else can touch it. */
@Module({})
export class DatabaseModule {
  /** `schema`: every feature's entities and migrations, as the app collects them (`collectSchema`). */
  static forRoot(schema: FeatureSchema): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => dataSourceOptions(config.database, schema),
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            await runMigrations(dataSource);
            return dataSource;
          },
        }),
      ],
      providers: [SqliteCheckpointer],
    };
  }
}
