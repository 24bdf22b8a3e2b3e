/**
 * Another feature's say on whether a client and a numerologist may have a consultation (a
 * numerologist's block, say): the reason to refuse, or null. Registered with
 * ConsultationsService.addBookingGuard, so consultations need not know the features that refuse.
 */
export interface BookingGuard {
  refusal(clientId: string, numerologistId: string): Promise<string | null>;
}
