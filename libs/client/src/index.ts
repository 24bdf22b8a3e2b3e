/**
 * @numerai/client — the framework-free WebSocket client of the NumerAI real-time API
 * (browser and Node). See libs/client/README.md.
 */
export {
  createAvailabilityWebSocket,
  createChatWebSocket,
  createClient,
  createNotificationsWebSocket,
  createPresenceWebSocket,
} from './factories';
export type {
  AvailabilityWebSocket,
  ChatWebSocket,
  NotificationsWebSocket,
  NumerAIClient,
  PresenceWebSocket,
} from './factories';
export {
  AvailabilitySession,
  ChatSession,
  EndpointSession,
  NotificationsSession,
  PresenceSession,
  ReconnectingConnection,
  StreamSession,
} from './websocket-client';
export type { KeepAliveOptions, NumerAIWebSocket, SessionByEndpoint, SessionHooks } from './websocket-client';
export { backoffDelay, nominalDelay, DEFAULT_BACKOFF } from './backoff';
export type { BackoffOptions } from './backoff';
export { createClientId } from './ids';
export { resolveHttpBase, resolveWebSocketBase } from './urls';
export { decodeJwtClaims, tokenLifetime } from './jwt';
export { renewalDelayMs, TokenRenewal } from './token-renewal';
export { createRefreshingTokenSource } from './refreshing-token-source';
export type {
  AuthResponse,
  AuthUser,
  RefreshingTokenSource,
  RefreshingTokenSourceOptions,
} from './refreshing-token-source';
export { OrderedStream } from './ordered-stream';
export type { PositionedItem, ResumePoint } from './ordered-stream';
export type {
  AvailabilityWebSocketOptions,
  ChatWebSocketOptions,
  NotificationsWebSocketOptions,
  StreamOptions,
  ConnectInfo,
  ConnectionState,
  DisconnectInfo,
  EndpointClientFrames,
  EndpointServerFrames,
  FrameHandler,
  FramePayload,
  PayloadArgs,
  SendResult,
  Unsubscribe,
  WebSocketClientOptions,
  WebSocketConstructor,
  WebSocketLike,
} from './types';
export { CloseCode, Limits, TERMINAL_CLOSE_CODES } from '@numerai/protocol';
export type {
  AvailabilityStatus,
  AvailableNumerologist,
  ChatMessageData,
  ClientFrame,
  ClientFrameMap,
  ClientFrameType,
  ErrorCode,
  LiveSessionData,
  LiveSessionStatus,
  NotificationData,
  PresenceUser,
  ServerFrame,
  ServerFrameMap,
  ServerFrameType,
} from '@numerai/protocol';
export {
  fetchPushRequest,
  fetchVapidPublicKey,
  pushSupported,
  subscribeToPush,
  unsubscribeFromPush,
  urlBase64ToUint8Array,
} from './push';
export type {
  PushApiOptions,
  PushPayload,
  PushRegistrationLike,
  PushRequest,
  PushSubscriptionLike,
  PushSubscriptionRecord,
  SubscribeToPushOptions,
  UnsubscribeFromPushOptions,
} from './push';
