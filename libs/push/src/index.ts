export * from './push.module';
export * from './push-subscription.view';
