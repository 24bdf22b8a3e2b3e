import 'reflect-metadata';
import { CanActivate, Injectable, Module, UseGuards, UsePipes, ValidationPipe } from '@nestjs/common';
import { DiscoveryModule, NestFactory } from '@nestjs/core';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { describeGateway, GatewayConventions, ignoredNestFeatures } from './gateway-conventions';

class DenyAll implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

/** What a newcomer who knows Nest would write: every part of it would be ignored by our adapter. */
@WebSocketGateway({ path: '/ws/bad' })
@UseGuards(DenyAll)
export class BadGateway {
  @SubscribeMessage('chat_message')
  @UsePipes(new ValidationPipe())
  onMessage(): string {
    return 'never called';
  }

  handleConnection(): void {
    return undefined;
  }
}

/** Our own way: handlers named after the contract's frames, no Nest decorators. */
@WebSocketGateway({ path: '/ws/good' })
export class GoodGateway {
  onTyping(): void {
    return undefined;
  }
}

/** Inherits a Nest handler from its base class: still found. */
@WebSocketGateway({ path: '/ws/derived' })
export class DerivedGateway extends BadGateway {}

describe('gateway conventions', () => {
  it('lists every Nest WebSocket feature the adapter would ignore', () => {
    expect(ignoredNestFeatures(BadGateway)).toEqual([
      '@UseGuards on the class',
      '@SubscribeMessage on onMessage()',
      '@UsePipes on onMessage()',
      'handleConnection()',
    ]);
    expect(ignoredNestFeatures(DerivedGateway)).toContain('@SubscribeMessage on onMessage()');
    expect(ignoredNestFeatures(GoodGateway)).toEqual([]);
  });

  it('names the class and the file that defines it', () => {
    expect(describeGateway(BadGateway)).toBe('BadGateway (libs/realtime/src/gateway-conventions.spec.ts)');
  });

  it('fails the boot, naming the gateway, when one uses them', async () => {
    @Module({ imports: [DiscoveryModule], providers: [GatewayConventions, GoodGateway, BadGateway] })
    class BadApp {}
    const booting = NestFactory.createApplicationContext(BadApp, { logger: false, abortOnError: false });
    await expect(booting).rejects.toThrow(
      /BadGateway \(libs\/realtime\/src\/gateway-conventions\.spec\.ts\): @UseGuards on the class, @SubscribeMessage on onMessage\(\)/,
    );
  });

  it('boots when every gateway keeps to the contract handlers', async () => {
    @Injectable()
    class Unrelated {}
    @Module({ imports: [DiscoveryModule], providers: [GatewayConventions, GoodGateway, Unrelated] })
    class GoodApp {}
    const app = await NestFactory.createApplicationContext(GoodApp, { logger: false, abortOnError: false });
    await app.close();
  });
});
