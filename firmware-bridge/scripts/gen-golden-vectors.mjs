// Regenerates firmware-bridge/golden-vectors.json from dist (run `npx tsc -p tsconfig.json` first).
// The CRC check value and COBS examples are published constants (reveng catalogue, Cheshire & Baker);
// frame vectors are produced by our encoder and then frozen: any change to them is a wire-format change.
import { writeFileSync } from 'node:fs';

const base = new URL('../../dist/firmware-bridge/src/protocol/', import.meta.url);
const { Frame } = await import(new URL('frame.js', base));
const { encodeMessage } = await import(new URL('messages.js', base));
const { messageToJson } = await import(new URL('golden.js', base));
const { encodeArgs, encodeResult } = await import(new URL('commands.js', base));
const { CommandCode } = await import(new URL('constants.js', base));

const frames = [];
function add(name, seq, message) {
  const { type, payload } = encodeMessage(message);
  const f = new Frame(type, seq, payload);
  frames.push({
    name,
    seq,
    message: messageToJson(message),
    raw_hex: f.toRaw().toString('hex'),
    wire_hex: f.encode().toString('hex'),
  });
}
add('hello from a 12-plate shelf controller', 0, {
  type: 'hello',
  kind: 'shelf',
  channels: 12,
  uptimeMs: 1500,
  deviceId: 'shelf-a3',
  serialNumber: 'SGS-000123',
  hardware: 'sg-shelf-12 rev C',
  firmware: '1.4.2',
});
add('identify request (empty payload)', 7, { type: 'identify' });
add('shelf batch, 2 channels x 3 samples, raw counts + calibration', 1, {
  type: 'shelfBatch',
  uptimeMs: 123456,
  hz: 60,
  channels: 2,
  samples: 3,
  encoding: 'rawCounts',
  calibration: [
    { offset: 8388, countsPerGram: 420.5 },
    { offset: -1200, countsPerGram: 415.25 },
  ],
  values: Int32Array.from([8388, -1200, 428888, 414050, 429309, 414465]),
});
add('shelf batch, 1 channel x 2 samples, milligrams', 2, {
  type: 'shelfBatch',
  uptimeMs: 200,
  hz: 10,
  channels: 1,
  samples: 2,
  encoding: 'milligrams',
  calibration: [],
  values: Int32Array.from([1250500, -3000]),
});
add('scale reading 1234.5 g stable', 3, {
  type: 'scaleReading',
  uptimeMs: 99000,
  status: 'stable',
  milligrams: 1234500,
});
add('scale reading in motion', 4, {
  type: 'scaleReading',
  uptimeMs: 99200,
  status: 'motion',
  milligrams: 87000,
});
add('scale over capacity', 5, {
  type: 'scaleReading',
  uptimeMs: 99400,
  status: 'over',
  milligrams: 30000000,
});
add('door beam a blocked', 9, { type: 'doorBeam', uptimeMs: 5000, beam: 'a', blocked: true });
add('door beam b cleared', 10, { type: 'doorBeam', uptimeMs: 5120, beam: 'b', blocked: false });
add('door cumulative counts', 11, { type: 'doorCount', uptimeMs: 6000, in: 1042, out: 1038 });
add('heartbeat with temperature 23.5 C', 255, {
  type: 'heartbeat',
  uptimeMs: 3600000,
  rxCrcErrors: 2,
  txDropped: 0,
  temperatureDeciC: 235,
});
add('heartbeat without temperature sensor', 0, {
  type: 'heartbeat',
  uptimeMs: 1000,
  rxCrcErrors: 0,
  txDropped: 1,
  temperatureDeciC: null,
});
add('command tare all channels', 20, {
  type: 'command',
  command: CommandCode.tare,
  args: encodeArgs('tare', { channel: 'all' }),
});
add('command calibrate channel 3 with 500 g', 21, {
  type: 'command',
  command: CommandCode.calibrate,
  args: encodeArgs('calibrate', { channel: 3, knownMilligrams: 500000 }),
});
add('command set sample rate 80 Hz', 22, {
  type: 'command',
  command: CommandCode.setSampleRate,
  args: encodeArgs('setSampleRate', { hz: 80 }),
});
add('command write config key 3 = 5000', 23, {
  type: 'command',
  command: CommandCode.writeConfig,
  args: encodeArgs('writeConfig', { key: 3, value: 5000 }),
});
add('command reboot', 24, { type: 'command', command: CommandCode.reboot, args: Buffer.alloc(0) });
add('response ok to calibrate (counts per gram 420.5)', 12, {
  type: 'response',
  requestSeq: 21,
  command: CommandCode.calibrate,
  error: 0,
  data: encodeResult('calibrate', { countsPerGram: 420.5 }),
});
add('response not_stable error', 13, {
  type: 'response',
  requestSeq: 21,
  command: CommandCode.calibrate,
  error: 4,
  data: Buffer.alloc(0),
});
add('firmware begin 70000 bytes', 30, {
  type: 'command',
  command: CommandCode.fwBegin,
  args: encodeArgs('fwBegin', { size: 70000, crc32: 0xcbf43926, chunkSize: 256, version: '1.5.0' }),
});
add('firmware chunk at 256', 31, {
  type: 'command',
  command: CommandCode.fwChunk,
  args: encodeArgs('fwChunk', { offset: 256, data: Buffer.from('00010203fffe', 'hex') }),
});
add('response firmware resume at 4096', 14, {
  type: 'response',
  requestSeq: 30,
  command: CommandCode.fwBegin,
  error: 0,
  data: encodeResult('fwBegin', { nextOffset: 4096 }),
});

const good = frames[4].wire_hex;
const corrupt = Buffer.from(good, 'hex');
corrupt[3] ^= 0x01;
const vectors = {
  crc16: [{ name: 'CRC-16/CCITT-FALSE', input_ascii: '123456789', check: '29b1' }],
  cobs: [
    { decoded_hex: '00', encoded_hex: '0101' },
    { decoded_hex: '0000', encoded_hex: '010101' },
    { decoded_hex: '00110000', encoded_hex: '0102110101' },
    { decoded_hex: '11223344', encoded_hex: '0511223344' },
    { decoded_hex: '11000000', encoded_hex: '0211010101' },
    {
      decoded_hex: Buffer.from(Array.from({ length: 254 }, (_, i) => i + 1)).toString('hex'),
      encoded_hex: `ff${Buffer.from(Array.from({ length: 254 }, (_, i) => i + 1)).toString('hex')}`,
    },
    {
      decoded_hex: Buffer.from(Array.from({ length: 255 }, (_, i) => i + 1)).toString('hex'),
      encoded_hex: `ff${Buffer.from(Array.from({ length: 254 }, (_, i) => i + 1)).toString('hex')}02ff`,
    },
    { decoded_hex: '0011220033', encoded_hex: '0103112202 33'.replace(' ', '') },
  ],
  frames,
  rejects: [
    { name: 'one bit flipped in a scale reading', wire_hex: corrupt.toString('hex'), reason: 'crc' },
    { name: 'too short to hold header and crc', wire_hex: '03010100', reason: 'short' },
    {
      name: 'protocol version 2 (valid crc)',
      wire_hex: (() => {
        const f = new Frame(0x02, 0, Buffer.alloc(0), 2);
        return f.encode().toString('hex');
      })(),
      reason: 'version',
    },
    { name: 'COBS code byte points past the delimiter', wire_hex: '0901020300', reason: 'cobs' },
  ],
};
writeFileSync(new URL('../golden-vectors.json', import.meta.url), `${JSON.stringify(vectors, null, 2)}\n`);
console.log(`wrote ${frames.length} frame vectors`);
