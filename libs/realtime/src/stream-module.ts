import { type DynamicModule, Inject, Injectable, Module, type ModuleMetadata, type Type } from '@nestjs/common';
import type { Principal } from '@numerai/common';
import { EventBus } from '@numerai/events';
import {
  CloseCode,
  type StreamContract,
  streamEndpoint,
  type StreamItemOf,
  type StreamOnlyEndpoint,
} from '@numerai/protocol';
import type { ClientConnection } from './client-connection';
import type { Admission, Refusal, UpgradeContext } from './endpoint';
import { RealtimeEndpoint } from './on-frame.decorator';
import { RealtimeGateway } from './realtime-gateway';
import { RealtimeRuntime } from './realtime-runtime';
import { StreamDeliveries, type StreamDelivery, type StreamSource } from './stream-delivery';

/** What a feature gives for a stream declared on its own: where it is read back from, and who may read it. */
export interface DeclaredStreamSource<T> extends StreamSource<T> {
  /**
   * Whether `principal` may read stream `key` (streams keyed by a path parameter: the caller's
   * ownership of a client-supplied id is checked here). A user-keyed stream is its user's alone.
   */
  mayRead?(principal: Principal, key: string): Promise<boolean>;
}

/** Announces a stored item of a stream declared on its own: every instance's readers of it get it in order, once. */
@Injectable()
export class StreamPublisher {
  constructor(private readonly events: EventBus) {}

  stored<S extends StreamContract>(stream: S, key: string, item: StreamItemOf<S>): void {
    this.events.publish('stream.item_stored', {
      stream: stream.endpoint,
      key,
      user_keyed: 'user' in stream.key,
      item: item as { seq?: number },
    });
  }
}

/**
 * The whole server side of a stream declared on its own, from its declaration and its source:
 * the endpoint (`streamEndpoint`: path, resume query, frames), admission (the user's own stream,
 * or `mayRead` for a path parameter), and StreamDelivery (order, resume, replay, live delivery)
 * fed by `stream.item_stored` announcements (StreamPublisher) from any instance.
 */
@Module({})
export class StreamModule {
  static forStream<S extends StreamContract>(
    stream: S,
    source: Type<DeclaredStreamSource<StreamItemOf<S>>>,
    imports: ModuleMetadata['imports'] = [],
  ): DynamicModule {
    return {
      module: StreamModule,
      imports,
      providers: [source, StreamPublisher, streamGateway(stream, source)],
      exports: [source, StreamPublisher],
    };
  }
}

function streamGateway<S extends StreamContract>(
  stream: S,
  sourceType: Type<DeclaredStreamSource<StreamItemOf<S>>>,
): Type<unknown> {
  const contract = streamEndpoint(stream);
  const param = 'param' in stream.key ? stream.key.param : undefined;
  type Connection = ClientConnection<{ key: string }>;

  @RealtimeEndpoint(contract)
  class DeclaredStreamGateway extends RealtimeGateway<StreamOnlyEndpoint<S>> {
    private readonly delivery: StreamDelivery<S>;

    constructor(
      @Inject(RealtimeRuntime) runtime: RealtimeRuntime,
      @Inject(sourceType) private readonly source: DeclaredStreamSource<StreamItemOf<S>>,
      @Inject(StreamDeliveries) streams: StreamDeliveries,
      @Inject(EventBus) events: EventBus,
    ) {
      super(runtime, contract);
      this.delivery = streams.create(stream, { source });
      events.on('stream.item_stored', ({ stream: name, key, item }) => {
        if (name === stream.endpoint) this.delivery.accept(key, item as StreamItemOf<S>);
      });
    }

    async admit({ params, principal }: UpgradeContext): Promise<Admission<{ key: string }> | Refusal> {
      const key = param ? params[param] : principal.id;
      if (param && !(key && (await this.source.mayRead?.(principal, key)))) {
        return { closeCode: CloseCode.Forbidden, code: 'forbidden', message: `You may not read this ${stream.item}` };
      }
      return { room: contract.room(key), context: { key } };
    }

    established() {
      return { message: `Connected to ${stream.endpoint}` };
    }

    opened(connection: Connection, query: URLSearchParams): Promise<void> {
      return this.delivery.open(connection, connection.context.key, query);
    }

    closed(connection: Connection): void {
      this.delivery.close(connection.context.key);
    }
  }
  // Named after its stream in start-up errors and logs.
  Object.defineProperty(DeclaredStreamGateway, 'name', { value: `${stream.endpoint}StreamGateway` });
  return DeclaredStreamGateway;
}
