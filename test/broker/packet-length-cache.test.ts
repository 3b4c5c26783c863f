import { Writable } from 'node:stream';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';

/**
 * mqtt-packet caches the encoded remaining length of every packet size it has written (up to 16,383). Unpatched,
 * each cached 1–4 byte value is a slice of Node's shared Buffer pool and keeps a whole pool block (8 KiB on Node
 * 20) alive: the broker's and the uplink's RSS then grows with every new payload size — the bench:soak growth
 * outside the JS heap (mqttjs/mqtt-packet#163). patches/mqtt-packet+*.patch (applied by patch-package on install)
 * gives each cached value its own allocation.
 */
describe('mqtt-packet remaining-length cache', () => {
  it('keeps cached lengths out of the shared Buffer pool', async () => {
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
    const lengths: number[] = [];
    for (const size of [37, 611, 1_234, 9_001]) {
      const packet = {
        cmd: 'publish' as const,
        topic: 'devices/shelf-1/weight',
        payload: Buffer.alloc(size, 1),
        qos: 0 as const,
        retain: false,
        dup: false,
      };
      // Twice: the second write of a size is served from the cache.
      for (let i = 0; i < 2; i++) {
        chunks.length = 0;
        mqttPacket.writeToStream(packet, sink);
        // writeToStream corks the stream and uncorks on the next tick.
        await new Promise((resolve) => setImmediate(resolve));
        // Chunk 0 is the fixed header byte, chunk 1 the encoded remaining length.
        const encoded = chunks[1]!;
        expect(encoded.length).toBeLessThanOrEqual(4);
        expect(encoded.buffer.byteLength, `remaining length of a ${size} B payload`).toBe(encoded.length);
        lengths.push(encoded.length);
      }
    }
    expect(lengths).toEqual([1, 1, 2, 2, 2, 2, 2, 2]);
  });
});
