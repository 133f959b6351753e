import { describe, expect, it } from 'vitest';
import { hostKey, isPrivateAddress, knownAddresses, privateNetworkAllowed, refusal } from '../../src/ingest/address-policy.ts';

describe('isPrivateAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.0.9', true],
    ['10.0.0.1', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['100.127.255.254', true],
    ['0.0.0.0', true],
    ['192.0.0.8', true],
    ['192.0.2.1', true],
    ['198.18.0.1', true],
    ['198.51.100.7', true],
    ['203.0.113.5', true],
    ['224.0.0.1', true],
    ['255.255.255.255', true],
    ['::', true],
    ['::1', true],
    ['fe80::1', true],
    ['fe80::1%eth0', true],
    ['fec0::1', true],
    ['fc00::1', true],
    ['fd12:3456:789a::1', true],
    ['ff02::1', true],
    ['::ffff:10.0.0.1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['::127.0.0.1', true],
    ['[::1]', true],
    ['64:ff9b::192.168.0.1', true],
    ['64:ff9b:1::8.8.8.8', true],
    ['2002:c0a8:0101::1', true],
    ['100::1', true],
    ['2001:db8::1', true],
    ['not-an-ip', true],
    ['', true],
    ['1.2.3', true],
    ['1.2.3.256', true],
    ['1::2::3', true],
    ['8.8.8.8', false],
    ['1.1.1.1', false],
    ['93.184.215.14', false],
    ['172.32.0.1', false],
    ['100.128.0.1', false],
    ['192.0.1.1', false],
    ['2606:4700:4700::1111', false],
    ['2001:4860:4860::8888', false],
    ['::ffff:8.8.8.8', false],
    ['64:ff9b::8.8.8.8', false],
    ['2002:0808:0808::1', false],
  ])('%s → %s', (ip, expected) => {
    expect(isPrivateAddress(ip)).toBe(expected);
  });
});

describe('hostKey', () => {
  it.each([
    ['http://Feeds.Example.COM/rss', 'feeds.example.com'],
    ['http://feeds.example.com./rss', 'feeds.example.com'],
    ['http://[::FFFF:127.0.0.1]:8080/', '::ffff:7f00:1'],
    ['http://2130706433/', '127.0.0.1'],
    ['http://0x7f.1/', '127.0.0.1'],
    ['https://[fe80::1]/', 'fe80::1'],
  ])('%s → %s', (url, expected) => {
    expect(hostKey(new URL(url))).toBe(expected);
  });
});

describe('knownAddresses', () => {
  it.each<[string, string[] | null]>([
    ['127.0.0.1', ['127.0.0.1']],
    ['::1', ['::1']],
    ['::ffff:7f00:1', ['::ffff:7f00:1']],
    ['localhost', ['127.0.0.1']],
    ['feeds.localhost', ['127.0.0.1']],
    ['notlocalhost', null],
    ['feeds.example.com', null],
  ])('%s → %j', (host, expected) => {
    expect(knownAddresses(host)).toEqual(expected);
  });
});

describe('privateNetworkAllowed', () => {
  const original = new URL('http://localhost:8080/feed');
  it.each<[string, boolean | undefined, string, boolean]>([
    ['the source itself, allowed', true, 'http://localhost:8080/feed', true],
    ['another path and port on the same host', true, 'http://LOCALHOST.:9090/other', true],
    ['a redirect to another host', true, 'http://127.0.0.1:8080/feed', false],
    ['the source itself, not allowed', false, 'http://localhost:8080/feed', false],
    ['the source itself, unset', undefined, 'http://localhost:8080/feed', false],
  ])('%s → %s', (_label, allow, hop, expected) => {
    expect(privateNetworkAllowed(new URL(hop), original, allow)).toBe(expected);
  });

  // An article page: the request is for a link of the feed at `original`; the permission is the feed host's.
  it.each<[string, string, string, boolean]>([
    ['a page on the feed host', 'http://localhost:8080/articles/1', 'http://localhost:8080/articles/1', true],
    ['a page on the feed host, redirected on it', 'http://localhost:8080/articles/1', 'http://LOCALHOST./a/1', true],
    ['a page on the feed host, redirected elsewhere', 'http://localhost:8080/articles/1', 'http://10.0.0.5/a/1', false],
    ['a page on another host', 'http://10.0.0.5/articles/1', 'http://10.0.0.5/articles/1', false],
    ['a page on another host, redirected to the feed host', 'http://10.0.0.5/articles/1', 'http://localhost:8080/articles/1', false],
  ])('%s (%s, hop %s) → %s', (_label, page, hop, expected) => {
    expect(privateNetworkAllowed(new URL(hop), new URL(page), true, original)).toBe(expected);
    expect(privateNetworkAllowed(new URL(hop), new URL(page), false, original)).toBe(false);
  });
});

describe('refusal', () => {
  it.each<[string, string[], string | null]>([
    ['10.0.0.1', ['10.0.0.1'], '10.0.0.1 is a private address'],
    ['feeds.example.test', ['93.184.215.14', '10.1.2.3'], 'feeds.example.test (10.1.2.3) is a private address'],
    ['localhost', ['127.0.0.1'], 'localhost (127.0.0.1) is a private address'],
    ['feeds.example.test', ['93.184.215.14', '2606:4700:4700::1111'], null],
    ['feeds.example.test', [], null],
  ])('%s at %j → %j', (host, addresses, expected) => {
    expect(refusal(host, addresses)).toBe(expected);
  });
});
