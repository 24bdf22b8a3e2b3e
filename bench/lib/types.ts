/** Shapes shared by the orchestrator (bench/run.ts), the load generator and the servers. */

/** How a client talks to a target: the NumerAI wire protocol over plain WebSockets, or Socket.IO. */
export type Protocol = 'ws' | 'socketio';

/** Where the load generator finds a target: one or more instances on 127.0.0.1. */
export interface TargetEndpoint {
  name: string;
  protocol: Protocol;
  /** Connection i goes to ports[i % ports.length] (more than one for the scaled-out configuration). */
  ports: number[];
}

export interface RosterUser {
  id: string;
  name: string;
  token: string;
}

/** One consultation (a chat room) and its two participants. */
export interface RosterRoom {
  id: string;
  client: RosterUser;
  numerologist: RosterUser;
}

/** One connection the load generator should open. */
export interface ConnSpec {
  /** Consultation id (chat) — also the group that traffic is sent to. */
  room: string;
  token: string;
  userId: string;
}

export type ChannelPath = 'chat' | 'notifications';

export interface ConnectRequest {
  target: TargetEndpoint;
  path: ChannelPath;
  specs: ConnSpec[];
  concurrency: number;
  timeoutMs: number;
}

export interface ConnectResult {
  requested: number;
  opened: number;
  failed: number;
  /** Failure reasons and how often each happened. */
  errors: Record<string, number>;
  elapsedMs: number;
  /** Connections per second accepted (until the first server frame arrived). */
  ratePerS: number;
  /** Load-generator CPU spent opening them (µs): a client handshake costs about as much as the server's side. */
  loadgenCpuUs: number;
}

export interface TrafficRequest {
  /** Messages per second offered in total (open loop, spread over rooms round-robin). */
  rate: number;
  durationMs: number;
  /** Longest wait after sending stops for the last deliveries. */
  drainMs: number;
  /** Deliveries arriving in the first `warmupFraction` of the window are not counted in the rate. */
  warmupFraction: number;
  /** Bytes of filler in each message content (realistic chat line length). */
  padding: number;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface TrafficResult {
  offeredMsgsPerS: number;
  sent: number;
  /** Sends skipped because the client's socket buffer was over its cap (server not reading). */
  skipped: number;
  expectedDeliveries: number;
  deliveries: number;
  /** Deliveries per second counted inside the measuring window. */
  deliveriesPerS: number;
  /** Messages per second that reached every connection of their room (deliveriesPerS / room size). */
  msgsPerS: number;
  latencyMs: LatencySummary;
  elapsedMs: number;
  /** Load-generator CPU use during the window as a fraction of one core (1 = saturated). */
  loadgenCpu: number;
  errorFrames: Record<string, number>;
  closedDuringRun: number;
}

export interface NotificationWaitResult {
  expected: number;
  received: number;
  /** Wall-clock times (ms since epoch) of the first and last first-notification arrival. */
  firstAt: number;
  lastAt: number;
}

/** The memory report of the bench probe preloaded into every server child. */
export interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}
