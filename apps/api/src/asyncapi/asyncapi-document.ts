import { ENDPOINTS, type EndpointContract, type FrameSchema, Limits } from '@numerai/protocol';

/** An AsyncAPI 3.1 document, as plain JSON. */
export type AsyncApiDocument = Record<string, unknown>;

type Direction = 'client' | 'server';
type Ref = { $ref: string };

/** Component keys: `client_chat_message` (what a client sends) and `server_chat_message` (what it receives). */
const messageKey = (direction: Direction, type: string) => `${direction}_${type}`;
const ref = (path: string): Ref => ({ $ref: `#/${path}` });

/**
 * The real-time API as AsyncAPI 3, derived from the endpoint contract (libs/protocol). The
 * application it describes is this server: it `receive`s the frames clients send and `send`s the
 * frames clients receive. One component message per frame schema; a frame type that two endpoints
 * declared differently in the same direction is a contract error and fails at start-up.
 */
export function buildAsyncApiDocument(
  endpoints: readonly EndpointContract[] = Object.values(ENDPOINTS),
): AsyncApiDocument {
  const messages: Record<string, unknown> = {};
  const declared = new Map<string, FrameSchema>();
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};

  const component = (direction: Direction, frame: FrameSchema): string => {
    const key = messageKey(direction, frame.frameType);
    const earlier = declared.get(key);
    if (earlier && earlier !== frame) {
      throw new Error(`Two endpoints declare different ${direction} frames named ${frame.frameType}`);
    }
    declared.set(key, frame);
    messages[key] = {
      name: frame.frameType,
      title: frame.frameType,
      summary: frame.summary,
      contentType: 'application/json',
      payload: frame.json,
    };
    return key;
  };

  for (const endpoint of endpoints) {
    const channelMessages: Record<string, Ref> = {};
    const directions: [Direction, 'receive' | 'send', Record<string, FrameSchema>][] = [
      ['client', 'receive', endpoint.client],
      ['server', 'send', endpoint.server],
    ];
    for (const [direction, action, frames] of directions) {
      for (const frame of Object.values(frames)) {
        const key = component(direction, frame);
        channelMessages[key] = ref(`components/messages/${key}`);
        operations[`${endpoint.name}_${action}_${frame.frameType}`] = {
          action,
          channel: ref(`channels/${endpoint.name}`),
          summary: frame.summary,
          messages: [ref(`channels/${endpoint.name}/messages/${key}`)],
        };
      }
    }
    channels[endpoint.name] = {
      address: endpoint.address,
      title: endpoint.name,
      description: `Who may connect: ${endpoint.audience}. The trailing slash is optional.`,
      ...(Object.keys(endpoint.parameters).length > 0
        ? {
            parameters: Object.fromEntries(
              Object.entries(endpoint.parameters).map(([name, description]) => [name, { description }]),
            ),
          }
        : {}),
      messages: channelMessages,
      bindings: {
        ws: {
          bindingVersion: '0.1.0',
          query: {
            type: 'object',
            properties: {
              token: { type: 'string', description: 'the JWT, unless sent as `Authorization: Bearer`' },
              ...Object.fromEntries(
                Object.entries(endpoint.query).map(([name, description]) => [name, { type: 'string', description }]),
              ),
            },
          },
        },
      },
    };
  }

  return {
    asyncapi: '3.1.0',
    info: {
      title: 'NumerAI real-time API',
      version: '1.0.0',
      description: [
        'WebSocket endpoints of the NumerAI backend: consultation chat, notifications and presence.',
        'Every frame is one JSON text frame with a string `type`; fields are snake_case; unknown fields are ignored.',
        `Frames are at most ${Limits.maxFrameBytes / 1024} KB. Close codes, errors and limits: docs/protocol.md.`,
        'Generated from the endpoint contract in libs/protocol.',
      ].join(' '),
      contact: { email: 'api-support@numerobuddy.com' },
    },
    defaultContentType: 'application/json',
    servers: {
      production: {
        host: 'api.numerobuddy.com',
        protocol: 'wss',
        description: 'Production',
        security: [ref('components/securitySchemes/token'), ref('components/securitySchemes/bearer')],
      },
      development: {
        host: 'localhost:8000',
        protocol: 'ws',
        description: 'Development',
        security: [ref('components/securitySchemes/token'), ref('components/securitySchemes/bearer')],
      },
    },
    channels,
    operations,
    components: {
      messages,
      securitySchemes: {
        token: {
          type: 'httpApiKey',
          name: 'token',
          in: 'query',
          description: 'The JWT of POST /api/auth/login as `?token=` (browsers cannot set headers on a WebSocket).',
        },
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'The same JWT as `Authorization: Bearer <jwt>`.',
        },
      },
    },
  };
}
