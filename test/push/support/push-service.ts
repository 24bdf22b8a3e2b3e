import { createDecipheriv, createECDH, createPublicKey, ECDH, hkdfSync, randomBytes, verify } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';

/** The subscription JSON a browser would POST to /api/push/subscriptions. */
export interface BrowserSubscription {
  endpoint: string;
  expirationTime: null;
  keys: { p256dh: string; auth: string };
}

/** One request the push service received, checked and decrypted. */
export interface ReceivedPush {
  /** Which subscription (the last path segment). */
  name: string;
  /** When it arrived (ms, this process's clock). */
  at: number;
  status: number;
  /** The decrypted payload, parsed. */
  payload: Record<string, unknown>;
  /** Claims of the verified VAPID JWT. */
  claims: { aud: string; exp: number; sub: string };
  ttl: string | undefined;
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** A body of this many bytes, streamed as fast as the reader takes it (what it took: `streamed`). */
  bodyBytes?: number;
}

/**
 * This service listens on 127.0.0.1, a private address: the server under test must opt in to
 * sending there (by default it sends only to the browsers' push services, on public addresses).
 */
export const LOCAL_PUSH_SERVICE_ENV = { PUSH_ALLOW_PRIVATE_ENDPOINTS: 'true' };

const BODY_CHUNK = Buffer.alloc(64 * 1024, 0x61);

/**
 * A push service on loopback (plain HTTP, which PUSH_ALLOW_PRIVATE_ENDPOINTS allows) standing in for FCM/Mozilla:
 * it records every request after checking it the way a real one does — the VAPID JWT
 * (RFC 8292: audience, expiry, ES256 signature with the server's public key from `k=`, which
 * must be the key the API publishes) — and decrypts the aes128gcm payload (RFC 8188/8291) with
 * the subscription's private key, generated here. Anything that fails a check lands in `problems`.
 */
export class PushService {
  readonly received: ReceivedPush[] = [];
  readonly problems: string[] = [];
  /** Per subscription, body bytes the reader took (written before backpressure) until the connection closed. */
  readonly streamed = new Map<string, number>();
  /** Requests being answered now, and the most there were at once. */
  inFlight = 0;
  maxInFlight = 0;
  /** How long each answer waits before its status line goes out (ms). */
  answerDelayMs = 0;
  private readonly browsers = new Map<string, { ecdh: ECDH; auth: Buffer }>();
  private readonly replies = new Map<string, Reply[]>();

  private constructor(
    private readonly server: Server,
    readonly origin: string,
    private readonly vapidPublicKey: string,
  ) {}

  /** `vapidPublicKey`: what GET /api/push/vapid-public-key answered; every push must be signed by it. */
  static async start(vapidPublicKey: string): Promise<PushService> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const service = new PushService(server, `http://127.0.0.1:${port}`, vapidPublicKey);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => service.handle(req, res));
    return service;
  }

  /** A new browser: its key pair and auth secret stay here; the JSON goes to the API. */
  subscription(name: string): BrowserSubscription {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = randomBytes(16);
    this.browsers.set(name, { ecdh, auth });
    return {
      endpoint: `${this.origin}/push/${name}`,
      expirationTime: null,
      keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
    };
  }

  /** The next requests to `name` get these answers, in order (then 201 again). */
  answer(name: string, ...replies: Reply[]): void {
    this.replies.set(name, [...(this.replies.get(name) ?? []), ...replies]);
  }

  /** Payloads delivered (2xx) to `name`. */
  delivered(name: string): Record<string, unknown>[] {
    return this.received.filter((push) => push.name === name && push.status < 300).map((push) => push.payload);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    res.once('close', () => this.inFlight--);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const name = (req.url ?? '').split('/').pop() ?? '';
      const reply = this.replies.get(name)?.shift() ?? { status: 201 };
      try {
        const browser = this.browsers.get(name);
        if (!browser || req.method !== 'POST') throw new Error(`unexpected ${req.method} ${req.url}`);
        if (req.headers['content-encoding'] !== 'aes128gcm') throw new Error('Content-Encoding is not aes128gcm');
        const claims = this.verifyVapid(req.headers.authorization ?? '');
        const payload = JSON.parse(decrypt(Buffer.concat(chunks), browser).toString('utf8')) as Record<string, unknown>;
        const ttl = req.headers.ttl as string | undefined;
        this.received.push({ name, at: Date.now(), status: reply.status, payload, claims, ttl });
      } catch (error) {
        this.problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
      const answer = () => {
        res.writeHead(reply.status, reply.headers);
        if (reply.bodyBytes) this.stream(res, name, reply.bodyBytes);
        else res.end();
      };
      if (this.answerDelayMs > 0) setTimeout(answer, this.answerDelayMs);
      else answer();
    });
  }

  /** Writes `total` bytes, as fast as the reader takes them; records what it took once the connection closes. */
  private stream(res: ServerResponse, name: string, total: number): void {
    let written = 0;
    res.once('close', () => this.streamed.set(name, written));
    const pump = (): void => {
      while (written < total && !res.destroyed) {
        written += BODY_CHUNK.length;
        if (!res.write(BODY_CHUNK)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  }

  /** RFC 8292 §3: `vapid t=<JWT>, k=<public key>`; the JWT is ES256 over the audience (our origin). */
  private verifyVapid(authorization: string): ReceivedPush['claims'] {
    const match = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(authorization);
    if (!match) throw new Error(`Authorization is not a VAPID header: ${authorization.slice(0, 20)}`);
    const [, jwt, key] = match;
    if (key !== this.vapidPublicKey) throw new Error('k= is not the published VAPID public key');
    const [header, body, signature] = jwt.split('.');
    const head = JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: string; typ?: string };
    if (head.alg !== 'ES256' || head.typ !== 'JWT') throw new Error(`JWT header ${JSON.stringify(head)}`);
    const point = Buffer.from(key, 'base64url');
    const publicKey = createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: point.subarray(1, 33).toString('base64url'),
        y: point.subarray(33, 65).toString('base64url'),
      },
      format: 'jwk',
    });
    const signed = verify(
      'sha256',
      Buffer.from(`${header}.${body}`),
      { key: publicKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url'),
    );
    if (!signed) throw new Error('VAPID JWT signature does not verify');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as ReceivedPush['claims'];
    if (claims.aud !== this.origin) throw new Error(`JWT aud ${claims.aud} is not ${this.origin}`);
    const now = Math.floor(Date.now() / 1000);
    if (!(claims.exp > now && claims.exp <= now + 24 * 3600)) throw new Error(`JWT exp ${claims.exp} out of range`);
    if (!/^(mailto:|https:)/.test(claims.sub)) throw new Error(`JWT sub ${claims.sub}`);
    return claims;
  }
}

/**
 * RFC 8291 §3.4 + RFC 8188: header = salt(16) | rs(4) | idlen(1) | keyid (the sender's
 * ephemeral public key); one record, AES-128-GCM, padding delimited by 0x02.
 */
function decrypt(body: Buffer, browser: { ecdh: ECDH; auth: Buffer }): Buffer {
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20];
  const senderKey = body.subarray(21, 21 + idLength);
  const record = body.subarray(21 + idLength);
  if (idLength !== 65 || record.length > recordSize) throw new Error('aes128gcm header is malformed');
  const receiverKey = browser.ecdh.getPublicKey();
  const ecdhSecret = browser.ecdh.computeSecret(senderKey);
  // IKM = HKDF(auth, ecdh_secret, "WebPush: info" || 0x00 || ua_public || as_public, 32)
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), receiverKey, senderKey]);
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, browser.auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 0x02) throw new Error('last record delimiter (0x02) missing');
  return padded.subarray(0, end);
}
