import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process-wide Prometheus registry (not prom-client's global one, so nothing else in
 * the process can collide with our names). /metrics serialises it.
 */
export const metricsRegistry = new Registry();

const connections = new Gauge({
  name: 'numerai_ws_connections',
  help: 'Open WebSocket connections on this instance, by endpoint',
  labelNames: ['endpoint'] as const,
  registers: [metricsRegistry],
});

const framesIn = new Counter({
  name: 'numerai_ws_frames_in_total',
  help: 'Client frames received with a known type, by type (invalid frames show up in numerai_ws_errors_total)',
  labelNames: ['type'] as const,
  registers: [metricsRegistry],
});

const framesOut = new Counter({
  name: 'numerai_ws_frames_out_total',
  help: 'Server frames sent, by type (a broadcast counts once per recipient)',
  labelNames: ['type'] as const,
  registers: [metricsRegistry],
});

const errors = new Counter({
  name: 'numerai_ws_errors_total',
  help: 'error frames sent (incl. refusals at connect), by code',
  labelNames: ['code'] as const,
  registers: [metricsRegistry],
});

const fanoutDelay = new Histogram({
  name: 'numerai_fanout_delay_seconds',
  help: 'From publishing a domain event to handing it to this instance’s sockets; source=remote crossed Redis',
  labelNames: ['source'] as const,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

const eventsDropped = new Counter({
  name: 'numerai_fanout_events_dropped_total',
  help: 'Events that never reached other instances (Redis unreachable and the bounded buffer full, or a publish failed)',
  registers: [metricsRegistry],
});

const eventsReceived = new Counter({
  name: 'numerai_events_received_total',
  help: 'Domain events this instance received from Redis, by channel kind (room, user, broadcast)',
  labelNames: ['channel_kind'] as const,
  registers: [metricsRegistry],
});

const followedChannels = new Gauge({
  name: 'numerai_event_channels_followed',
  help: 'Redis channels (rooms, users, broadcast) this instance is subscribed to right now',
  registers: [metricsRegistry],
});

const dependencyUp = new Gauge({
  name: 'numerai_dependency_up',
  help: '1 when a dependency answers its health check (database, redis), 0 when not; refreshed on every scrape',
  labelNames: ['dependency'] as const,
  registers: [metricsRegistry],
});

/**
 * Label children are resolved once per label value and kept, so a hot-path call is one
 * Map lookup and one addition. Callers pass only bounded label values (endpoint names,
 * frame types the server knows, protocol error codes) — never user or consultation ids.
 */
function cached<T>(resolve: (label: string) => T): (label: string) => T {
  const children = new Map<string, T>();
  return (label) => {
    let child = children.get(label);
    if (child === undefined) {
      child = resolve(label);
      children.set(label, child);
    }
    return child;
  };
}

const connectionsOf = cached((endpoint) => connections.labels(endpoint));
const framesInOf = cached((type) => framesIn.labels(type));
const framesOutOf = cached((type) => framesOut.labels(type));
const errorsOf = cached((code) => errors.labels(code));
const localDelay = fanoutDelay.labels('local');
const remoteDelay = fanoutDelay.labels('remote');
const eventsReceivedOf = cached((kind) => eventsReceived.labels(kind));

/** The hooks the realtime runtime, the registry and the event buses call. Each costs a few nanoseconds. */
export const realtimeMetrics = {
  connectionOpened(endpoint: string): void {
    connectionsOf(endpoint).inc();
  },
  connectionClosed(endpoint: string): void {
    connectionsOf(endpoint).dec();
  },
  /** `type` must be one the server handles (bounded); unknown types are counted as errors instead. */
  frameIn(type: string): void {
    framesInOf(type).inc();
  },
  framesOut(type: string, count = 1): void {
    if (count > 0) framesOutOf(type).inc(count);
  },
  error(code: string): void {
    errorsOf(code).inc();
  },
  /** Milliseconds from `published_at` until the local handlers (and so the socket sends) ran. */
  fanoutDelay(ms: number, source: 'local' | 'remote'): void {
    (source === 'local' ? localDelay : remoteDelay).observe(Math.max(0, ms) / 1000);
  },
  eventsDropped(count = 1): void {
    eventsDropped.inc(count);
  },
  /** `kind` is one of the few channel kinds, never a channel name. */
  eventReceived(kind: string): void {
    eventsReceivedOf(kind).inc();
  },
  channelsFollowed(count: number): void {
    followedChannels.set(count);
  },
};

export const dependencyMetrics = {
  /**
   * The scraping app's dependencies, all of them at once: the gauge is reset first, so it never
   * shows a dependency this app does not have (one another app in the process checked before).
   */
  report(states: Record<string, boolean>): void {
    dependencyUp.reset();
    for (const [dependency, up] of Object.entries(states)) dependencyUp.labels(dependency).set(up ? 1 : 0);
  },
};
