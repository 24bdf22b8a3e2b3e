import { BadRequestException } from '@nestjs/common';
import { createECDH } from 'node:crypto';

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
