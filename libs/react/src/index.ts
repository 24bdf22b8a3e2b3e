/**
 * @numerai/react — React hooks on the NumerAI client SDK. See libs/react/README.md.
 */
export { NumerAIProvider, useNumerAI, ApiError } from './provider';
export type { NumerAIProviderProps, NumerAIContextValue } from './provider';
export { useChatWebSocket } from './use-chat-websocket';
export type { UseChatWebSocketOptions, UseChatWebSocketResult, TypingUser, ReadMarker } from './use-chat-websocket';
export { useNotifications } from './use-notifications';
export type { UseNotificationsOptions, UseNotificationsResult } from './use-notifications';
export { usePresence } from './use-presence';
export type { UsePresenceOptions, UsePresenceResult, PresenceEntry } from './use-presence';
export { useAvailability } from './use-availability';
export type { UseAvailabilityOptions, UseAvailabilityResult } from './use-availability';
export { useLiveSession } from './use-live-session';
export type { UseLiveSessionOptions, UseLiveSessionResult } from './use-live-session';
export { userIdFromToken } from './jwt';
export { usePushSubscription } from './use-push-subscription';
export type { PushPermission, UsePushSubscriptionOptions, UsePushSubscriptionResult } from './use-push-subscription';
