import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { engineOf, runInOneTransaction } from '@numerai/database';
import { AccountDataSections } from './account-data-sections';

/**
 * Erases an account (the README's data-erasure policy): every feature's AccountDataSection
 * contributes the statements for the rows it owns, and all of them run in one transaction, so a
 * failure part-way leaves the account as it was. Only after the commit does each section announce
 * what it ended (sockets of the revoked sessions close on every instance, cancelled
 * consultations are announced like any cancellation).
 */
@Injectable()
export class AccountEraser {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sections: AccountDataSections,
  ) {}

  async erase(userId: string): Promise<void> {
    const context = { userId, engine: engineOf(this.dataSource), at: new Date() };
    const erasures = this.sections.all().map((section) => section.erasure(context));
    const results = await runInOneTransaction(
      this.dataSource,
      erasures.flatMap((erasure) => erasure.statements),
    );
    let next = 0;
    for (const erasure of erasures) {
      const own = results.slice(next, (next += erasure.statements.length));
      erasure.afterCommit?.(own);
    }
  }
}
