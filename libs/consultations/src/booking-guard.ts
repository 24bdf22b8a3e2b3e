/**
 * Another feature's say on whether a client and a numerologist may have a consultation (a
 * numerologist's block, say): the reason to refuse, or null. Registered with
 * ConsultationsService.addBookingGuard, so consultations need not know the features that refuse.
 */
export interface BookingGuard {
  refusal(clientId: string, numerologistId: string): Promise<string | null>;
}

/**
 * The chat's count of what a user has not read in each of these consultations (absent: none),
 * for the list's `unread_count`. Registered with ConsultationsService.useUnreadCounter by the chat,
 * which owns the messages and read markers (and imports this feature, so it cannot be imported back).
 */
export interface UnreadCounter {
  unreadCounts(userId: string, consultationIds: string[]): Promise<Map<string, number>>;
}
