import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cobsDecode, cobsEncode } from '../../firmware-bridge/src/protocol/cobs.js';
import { crc16 } from '../../firmware-bridge/src/protocol/crc.js';
import { Frame } from '../../firmware-bridge/src/protocol/frame.js';
import {
  type GoldenVectors,
  messageFromJson,
  messageToJson,
} from '../../firmware-bridge/src/protocol/golden.js';
import { decodeMessage, encodeMessage, sampleGrams } from '../../firmware-bridge/src/protocol/messages.js';
import { FrameParser } from '../../firmware-bridge/src/protocol/parser.js';

const vectors: GoldenVectors = JSON.parse(
  readFileSync(new URL('../../firmware-bridge/golden-vectors.json', import.meta.url), 'utf8'),
);
const hex = (h: string) => Buffer.from(h, 'hex');

describe('golden vectors', () => {
  it('CRC-16/CCITT-FALSE check value', () => {
    for (const v of vectors.crc16) expect(crc16(Buffer.from(v.input_ascii)).toString(16)).toBe(v.check);
  });

  it.each(vectors.cobs)('COBS $decoded_hex', (v) => {
    expect(cobsEncode(hex(v.decoded_hex)).toString('hex')).toBe(v.encoded_hex);
    expect(cobsDecode(hex(v.encoded_hex))?.toString('hex')).toBe(v.decoded_hex);
  });

  it.each(vectors.frames)('$name: encodes to the vector and decodes back', (v) => {
    const { type, payload } = encodeMessage(messageFromJson(v.message));
    const frame = new Frame(type, v.seq, payload);
    expect(frame.toRaw().toString('hex')).toBe(v.raw_hex);
    expect(frame.encode().toString('hex')).toBe(v.wire_hex);
    const wire = hex(v.wire_hex);
    const decoded = Frame.decode(wire, 0, wire.length - 1);
    if (typeof decoded === 'string') throw new Error(decoded);
    expect(decoded.seq).toBe(v.seq);
    const message = decodeMessage(decoded.type, decoded.payload);
    expect(JSON.parse(JSON.stringify(messageToJson(message)))).toEqual(v.message);
  });

  it.each(vectors.rejects)('rejects $name as $reason', (v) => {
    const parser = new FrameParser();
    const got: Frame[] = [];
    parser.on('data', (f: Frame) => got.push(f));
    parser.write(hex(v.wire_hex));
    expect(got).toHaveLength(0);
    expect(parser.stats.rejected[v.reason as 'crc']).toBe(1);
  });

  it('maps raw counts to grams with the batch calibration', () => {
    const v = vectors.frames.find(
      (f) => f.message.type === 'shelfBatch' && f.message.encoding === 'rawCounts',
    )!;
    const m = messageFromJson(v.message);
    if (m.type !== 'shelfBatch') throw new Error('not a batch');
    expect(sampleGrams(m, 0, 0)).toBe(0);
    expect(sampleGrams(m, 1, 0)).toBeCloseTo(1000, 6);
    expect(sampleGrams(m, 2, 1)).toBeCloseTo((414465 + 1200) / 415.25, 6);
  });
});

describe('decodeMessage rejects malformed payloads', () => {
  it('truncated, trailing and unknown', () => {
    const { payload } = encodeMessage({ type: 'doorBeam', uptimeMs: 1, beam: 'a', blocked: true });
    expect(() => decodeMessage(0x12, payload.subarray(0, 5))).toThrow(/truncated/);
    expect(() => decodeMessage(0x12, Buffer.concat([payload, hex('00')]))).toThrow(/trailing/);
    expect(() => decodeMessage(0x7f, payload)).toThrow(/unknown message type 0x7f/);
    expect(() => decodeMessage(0x11, hex('0000000009000000000'.padEnd(18, '0')))).toThrow(/scale status 9/);
  });
});

describe('large messages', () => {
  it('a 12 × 12 raw batch (the shelf controller default) round-trips', () => {
    const values = Int32Array.from({ length: 144 }, (_, i) => (i % 2 ? -1 : 1) * (i * 104_729 + 8_000_000));
    const calibration = Array.from({ length: 12 }, (_, c) => ({
      offset: c * 1000 - 6000,
      countsPerGram: 400 + c,
    }));
    const m = {
      type: 'shelfBatch' as const,
      uptimeMs: 4_000_000_000,
      hz: 60,
      channels: 12,
      samples: 12,
      encoding: 'rawCounts' as const,
      calibration,
      values,
    };
    const { type, payload } = encodeMessage(m);
    expect(payload.length).toBe(9 + 12 * 8 + 144 * 4);
    const wire = new Frame(type, 200, payload).encode();
    const f = Frame.decode(wire, 0, wire.length - 1);
    if (typeof f === 'string') throw new Error(f);
    expect(decodeMessage(f.type, f.payload)).toEqual(m);
  });
});
