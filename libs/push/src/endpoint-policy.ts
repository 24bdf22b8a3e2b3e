import { BadRequestException } from '@nestjs/common';
import { createECDH } from 'node:crypto';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Where the server will POST: https only (the push services all are), except plain or
 * https loopback when `allowLoopback` (development and tests). No credentials in the URL.
 */
export function checkEndpoint(raw: string, allowLoopback: boolean): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BadRequestException(['endpoint must be an absolute URL']);
  }
  if (url.username || url.password) throw new BadRequestException(['endpoint must not carry credentials']);
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (loopback && !allowLoopback) throw new BadRequestException(['endpoint must not be a loopback address']);
  if (url.protocol === 'https:' || (loopback && url.protocol === 'http:')) return url.href;
  throw new BadRequestException(['endpoint must be an https URL']);
}

/** The key must be a point on P-256, or every push to it would fail to encrypt. */
export function checkP256dh(p256dh: string): Buffer {
  const point = Buffer.from(p256dh, 'base64url');
  try {
    if (point.length !== 65 || point[0] !== 0x04) throw new Error('not an uncompressed point');
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    ecdh.computeSecret(point); // throws for a point not on the curve
  } catch {
    throw new BadRequestException(['keys.p256dh must be an uncompressed P-256 public key (65 bytes)']);
  }
  return point;
}
