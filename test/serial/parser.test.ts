import { describe, expect, it } from 'vitest';
import { MAX_ENCODED_BYTES, MAX_PAYLOAD_BYTES } from '../../firmware-bridge/src/protocol/constants.js';
import { Frame } from '../../firmware-bridge/src/protocol/frame.js';
import { FrameParser } from '../../firmware-bridge/src/protocol/parser.js';

function collect() {
  const parser = new FrameParser();
  const frames: Frame[] = [];
  parser.on('data', (f: Frame) => frames.push(f));
  return { parser, frames };
}
const frameA = new Frame(0x20, 1, Buffer.from([1, 0, 2, 0, 0, 3]));
const frameB = new Frame(0x11, 2, Buffer.from('hello'));

describe('FrameParser', () => {
  it('reassembles a frame split at every possible byte', () => {
    const wire = frameA.encode();
    for (let cut = 1; cut < wire.length; cut++) {
      const { parser, frames } = collect();
      parser.write(wire.subarray(0, cut));
      parser.write(wire.subarray(cut));
      expect(frames, `cut at ${cut}`).toHaveLength(1);
      expect(frames[0]!.payload).toEqual(frameA.payload);
    }
  });

  it('decodes two frames in one chunk, and byte-by-byte', () => {
    const wire = Buffer.concat([frameA.encode(), frameB.encode()]);
    const one = collect();
    one.parser.write(wire);
    expect(one.frames.map((f) => f.seq)).toEqual([1, 2]);
    const bytewise = collect();
    for (const b of wire) bytewise.parser.write(Buffer.from([b]));
    expect(bytewise.frames.map((f) => f.seq)).toEqual([1, 2]);
  });

  it('resyncs after a garbage prefix and counts it', () => {
    const { parser, frames } = collect();
    parser.write(
      Buffer.concat([Buffer.from('garbage\xff\x13line noise'), Buffer.from([0]), frameB.encode()]),
    );
    expect(frames).toHaveLength(1);
    expect(frames[0]!.payload.toString()).toBe('hello');
    expect(parser.stats.rejected.crc + parser.stats.rejected.cobs + parser.stats.rejected.short).toBe(1);
  });

  it('a frame with a bad CRC is dropped, counted, and costs only itself', () => {
    const bad = frameA.encode();
    bad[3] = bad[3]! ^ 0x40;
    const { parser, frames } = collect();
    parser.write(Buffer.concat([bad, frameB.encode()]));
    expect(frames.map((f) => f.seq)).toEqual([2]);
    expect(parser.stats.rejected.crc).toBe(1);
  });

  it('zero-length payload and maximum payload round-trip; idle delimiters are ignored', () => {
    const empty = new Frame(0x02, 9);
    const max = new Frame(0x10, 10, Buffer.alloc(MAX_PAYLOAD_BYTES, 0xa5));
    const { parser, frames } = collect();
    parser.write(Buffer.concat([Buffer.from([0, 0, 0]), empty.encode(), max.encode()]));
    expect(frames.map((f) => f.payload.length)).toEqual([0, MAX_PAYLOAD_BYTES]);
    expect(() => new Frame(0x10, 0, Buffer.alloc(MAX_PAYLOAD_BYTES + 1))).toThrow(RangeError);
  });

  it('an over-long run without delimiter is discarded, buffer stays bounded, next frame decodes', () => {
    const { parser, frames } = collect();
    const noise = Buffer.alloc(MAX_ENCODED_BYTES * 3, 0x55);
    for (let i = 0; i < noise.length; i += 100) parser.write(noise.subarray(i, i + 100));
    expect(parser.stats.rejected.overflow).toBeGreaterThan(0);
    parser.write(Buffer.from([0]));
    parser.write(frameB.encode());
    expect(frames).toHaveLength(1);
  });
});
