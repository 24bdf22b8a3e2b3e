export * from './consultation-reminder.job';
export * from './reminders.module';
