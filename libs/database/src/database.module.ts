import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '@numerai/config';
import { dataSourceOptions } from './data-source-options';
import { runMigrations } from './migrate';
import { SqliteCheckpointer } from './sqlite-checkpointer';

/** The one DataSource, migrated before anything else can touch it. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => dataSourceOptions(config.database),
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource(options!).initialize();
        await runMigrations(dataSource);
        return dataSource;
      },
    }),
  ],
  providers: [SqliteCheckpointer],
})
export class DatabaseModule {}
