import { classifyAddress } from './endpoint-address';

describe('push endpoint address classes', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['142.250.74.106', 'public'],
    ['[2a00:1450:4001:80b::200a]', 'public'],
    ['2a00:1450:4001:80b::200a', 'public'],
    // NAT64 (DNS64 on an IPv6-only network): what the embedded IPv4 address is.
    ['[64:ff9b::808:808]', 'public'],
    ['[64:ff9b::a00:1]', 'private'],
    ['127.0.0.1', 'private'],
    ['127.0.0.2', 'private'],
    ['[::ffff:127.0.0.1]', 'private'],
    ['[::ffff:7f00:1]', 'private'],
    ['[::1]', 'private'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['[fd00::1]', 'private'],
    ['0.0.0.0', 'forbidden'],
    ['[::]', 'forbidden'],
    ['169.254.169.254', 'forbidden'],
    ['[::ffff:169.254.169.254]', 'forbidden'],
    ['[fe80::1]', 'forbidden'],
    ['224.0.0.1', 'forbidden'],
    ['255.255.255.255', 'forbidden'],
    ['192.0.2.1', 'forbidden'],
    ['[::127.0.0.1]', 'private'], // IPv4-compatible: taken as the IPv4 address it names
    ['[2002:7f00:1::]', 'forbidden'],
    ['[2001:db8::1]', 'forbidden'],
  ])('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it('is undefined for names', () => {
    expect(classifyAddress('localhost')).toBeUndefined();
    expect(classifyAddress('fcm.googleapis.com')).toBeUndefined();
    expect(classifyAddress('0x7f.1')).toBeUndefined(); // the URL parser has made it 127.0.0.1 before this
  });
});
