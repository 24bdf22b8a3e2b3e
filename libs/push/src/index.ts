export * from './push.module';
export * from './push-subscription.view';
export * from './push-delivery.entity';
export * from './push-subscription.entity';
export * from './push.schema';
