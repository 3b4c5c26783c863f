import { describe, expect, it } from 'vitest';
import { AuthThrottle, decideAuthentication } from './authenticate.js';
import { authorizeDevicePublish, authorizeDeviceSubscribe } from './authorize.js';
import { MqttFrameScanner } from './packet-size-guard.js';
import { TokenBucket } from './token-bucket.js';

describe('MqttFrameScanner', () => {
  const publish = (bodyLen: number) =>
    Buffer.concat([Buffer.from([0x30, bodyLen]), Buffer.alloc(bodyLen, 1)]);

  it('accepts packets up to the limit across arbitrary chunk splits', () => {
    const stream = Buffer.concat([publish(100), publish(20), publish(125)]);
    for (let split = 1; split < stream.length; split++) {
      const s = new MqttFrameScanner(127);
      expect(s.feed(stream.subarray(0, split))).toBeNull();
      expect(s.feed(stream.subarray(split))).toBeNull();
    }
  });

  it('reports the announced size from the header, before the body arrives', () => {
    const s = new MqttFrameScanner(1024);
    expect(s.feed(publish(10))).toBeNull();
    // remaining length 16384 = 0x80 0x80 0x01
    expect(s.feed(Buffer.from([0x30, 0x80]))).toBeNull();
    expect(s.feed(Buffer.from([0x80, 0x01]))).toBe(1 + 3 + 16384);
  });

  it('rejects a remaining length longer than 4 bytes', () => {
    expect(new MqttFrameScanner(1e9).feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toBe(-1);
  });
});

describe('TokenBucket', () => {
  it('allows the burst, then the rate', () => {
    const b = new TokenBucket(10, 5, 0);
    expect([1, 2, 3, 4, 5, 6].map(() => b.take(0))).toEqual([true, true, true, true, true, false]);
    expect(b.take(100)).toBe(true);
    expect(b.take(100)).toBe(false);
    expect(b.take(10_000)).toBe(true);
  });
});

describe('decideAuthentication', () => {
  const policy = { allowAnonymous: false, maxClientIdLength: 16 };
  const pw = Buffer.from('s3cret');
  it('verifies id = username with a password', () => {
    expect(
      decideAuthentication({ clientId: 'd1', username: 'd1', password: pw, blocked: false }, policy),
    ).toEqual({
      kind: 'verify',
      deviceId: 'd1',
      secret: 's3cret',
    });
  });
  it('refuses blocked, anonymous, mismatched, long ids and missing passwords', () => {
    const reason = (a: Parameters<typeof decideAuthentication>[0], p = policy) => {
      const d = decideAuthentication(a, p);
      return d.kind === 'refuse' ? `${d.reason}/${d.returnCode}` : d.kind;
    };
    expect(reason({ clientId: 'd1', username: 'd1', password: pw, blocked: true })).toBe('throttled/5');
    expect(reason({ clientId: 'd1', username: undefined, password: undefined, blocked: false })).toBe(
      'anonymous/5',
    );
    expect(
      reason(
        { clientId: 'd1', username: undefined, password: undefined, blocked: false },
        { ...policy, allowAnonymous: true },
      ),
    ).toBe('anonymous');
    expect(reason({ clientId: 'd2', username: 'd1', password: pw, blocked: false })).toBe(
      'client_id_mismatch/2',
    );
    expect(reason({ clientId: 'x'.repeat(17), username: 'x'.repeat(17), password: pw, blocked: false })).toBe(
      'client_id_too_long/2',
    );
    expect(reason({ clientId: 'd1', username: 'd1', password: undefined, blocked: false })).toBe(
      'bad_credentials/4',
    );
  });
});

describe('AuthThrottle', () => {
  it('blocks after max failures in the window, for block_ms, per address', () => {
    const t = new AuthThrottle({ maxFailures: 3, windowMs: 1000, blockMs: 5000 });
    expect(t.recordFailure('a', 0)).toBe(false);
    expect(t.recordFailure('a', 10)).toBe(false);
    expect(t.recordFailure('a', 20)).toBe(true);
    expect(t.isBlocked('a', 4000)).toBe(true);
    expect(t.isBlocked('b', 4000)).toBe(false);
    expect(t.isBlocked('a', 5021)).toBe(false);
  });
  it('forgets failures outside the window and keeps memory bounded', () => {
    const t = new AuthThrottle({ maxFailures: 2, windowMs: 1000, blockMs: 5000, maxTracked: 10 });
    t.recordFailure('a', 0);
    expect(t.recordFailure('a', 2000)).toBe(false);
    for (let i = 0; i < 100; i++) t.recordFailure(`x${i}`, 3000);
    expect(t.isBlocked('x99', 3000)).toBe(false);
  });
});

describe('topic ACL', () => {
  const dev = { deviceId: 'd1', location: { lane: 'l1' } };
  it('allows only own data topics', () => {
    expect(authorizeDevicePublish(dev, 'devices/d1/shelf')).toEqual({ allowed: true, suffix: 'shelf' });
    expect(authorizeDevicePublish(dev, 'devices/d1/camera/zone')).toEqual({
      allowed: true,
      suffix: 'camera/zone',
    });
    for (const topic of [
      'devices/d2/shelf',
      'devices/d1',
      'devices/d1/',
      'devices/d1/cmd',
      'devices/d10/shelf',
      'x/d1/shelf',
    ]) {
      expect(authorizeDevicePublish(dev, topic).allowed).toBe(false);
    }
    expect(authorizeDevicePublish(dev, '$SYS/x')).toEqual({ allowed: false, reason: 'reserved_topic' });
    expect(authorizeDevicePublish({ deviceId: null, location: {} }, 'devices/d1/shelf').allowed).toBe(false);
  });
  it('allows subscribing to the own command topic and the own lane state only', () => {
    const ok = ['devices/d1/cmd', 'lanes/l1/state'];
    const no = [
      '#',
      '+/+/+',
      'devices/+/cmd',
      'devices/d1/#',
      'devices/d2/cmd',
      '$SYS/#',
      'lanes/l2/state',
      'devices/d1/shelf',
    ];
    for (const f of ok) expect(authorizeDeviceSubscribe(dev, f)).toBe(true);
    for (const f of no) expect(authorizeDeviceSubscribe(dev, f)).toBe(false);
  });
});
