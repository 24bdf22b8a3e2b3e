/**
 * A consultation's statuses. Here rather than in the consultations feature: domain events
 * (libs/events) and the chat's status cache carry one, and generic libs never import a feature.
 */
export const CONSULTATION_STATUSES = ['scheduled', 'active', 'completed', 'cancelled'] as const;
export type ConsultationStatus = (typeof CONSULTATION_STATUSES)[number];
