export * from './booking-guard';
export * from './consultation.view';
export { isChatOpen, isParticipant } from './consultations.repository';
export * from './consultations.module';
export * from './consultations.service';
export { consultationId } from './consultations.controller';
export * from './consultation.entity';
export * from './consultations.schema';
