import { Injectable } from '@nestjs/common';
import { lookup } from 'node:dns/promises';
import { AppConfig } from '@numerai/config';
import { AddressClass, classifyAddress } from './endpoint-address';

/** An endpoint the server will not send to; the message is the registrant's 400. */
export class EndpointRefused extends Error {}

/** Where one push goes: the URL, and the address checked for it that the connection must use. */
export interface PinnedEndpoint {
  url: URL;
  address: string;
  family: 4 | 6;
}

/**
 * Where the server will POST on a registrant's say-so. An endpoint's host must be one of the
 * push services (PUSH_ENDPOINT_HOSTS adds more), over https; and at send time every address
 * the name resolves to must be public, and the connection goes to the address checked (so a
 * DNS answer that changes between the check and the connect cannot point it inward).
 * PUSH_ALLOW_PRIVATE_ENDPOINTS admits loopback and private addresses too (plain http for an
 * address literal): a local push service in development and tests. Never link-local (the
 * cloud metadata service), unspecified or reserved addresses.
 */
@Injectable()
export class PushEndpointPolicy {
  constructor(private readonly config: AppConfig) {}

  /** The endpoint as it will be stored, or EndpointRefused saying why not. */
  check(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new EndpointRefused('endpoint must be an absolute URL');
    }
    if (url.username || url.password) throw new EndpointRefused('endpoint must not carry credentials');
    const literal = classifyAddress(url.hostname);
    if (literal !== undefined && !this.permits(literal)) throw new EndpointRefused(`endpoint is ${refusal(literal)}`);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && literal === 'private')) {
      throw new EndpointRefused('endpoint must be an https URL');
    }
    // Push services are names; a public address literal is not one of them.
    if (literal === 'public' || (literal === undefined && !this.knownHost(url.hostname))) {
      throw new EndpointRefused(UNKNOWN_HOST);
    }
    return url;
  }

  /** `check`, then where to connect: EndpointRefused if any address of the name may not be sent to. */
  async resolve(raw: string): Promise<PinnedEndpoint> {
    const url = this.check(raw);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const addresses = classifyAddress(host)
      ? [{ address: host, family: host.includes(':') ? 6 : 4 }]
      : await lookup(host, { all: true, verbatim: true });
    // Every address, not just the first: which one a connection would take is not ours to pick.
    const refused = addresses.find(({ address }) => !this.permits(classifyAddress(address) ?? 'forbidden'));
    if (refused) throw new EndpointRefused(`endpoint host resolves to ${refusal(classifyAddress(refused.address))}`);
    const [first] = addresses;
    if (!first) throw new Error('the endpoint host has no address'); // a network failure: retried
    return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
  }

  private permits(address: AddressClass): boolean {
    return address === 'public' || (address === 'private' && this.config.push.allowPrivateEndpoints);
  }

  /** The host itself or a subdomain of a listed host (`wns2-par02p.notify.windows.com`). */
  private knownHost(hostname: string): boolean {
    return this.config.push.endpointHosts.some((host) => hostname === host || hostname.endsWith(`.${host}`));
  }
}

const UNKNOWN_HOST = 'endpoint host is not a known push service (PUSH_ENDPOINT_HOSTS lists more)';

function refusal(address: AddressClass | undefined): string {
  return address === 'private'
    ? 'a loopback or private address (PUSH_ALLOW_PRIVATE_ENDPOINTS is off)'
    : 'an address that is never sent to (unspecified, link-local, reserved)';
}
