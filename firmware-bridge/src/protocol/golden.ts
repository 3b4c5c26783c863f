import type { Message } from './messages.js';

/**
 * JSON form of messages used by golden-vectors.json: byte fields are hex strings and sample arrays are plain
 * arrays, so a firmware project can load the same file without our TypeScript types.
 */
export type JsonMessage = Record<string, unknown> & { type: Message['type'] };

export interface GoldenFrameVector {
  name: string;
  seq: number;
  message: JsonMessage;
  /** Unstuffed frame: version | type | seq | payload | crc16be */
  raw_hex: string;
  /** On the wire: COBS(raw) then 0x00 */
  wire_hex: string;
}

export interface GoldenVectors {
  crc16: { name: string; input_ascii: string; check: string }[];
  cobs: { decoded_hex: string; encoded_hex: string }[];
  frames: GoldenFrameVector[];
  /** Bytes that must decode to nothing (and be counted as rejected). */
  rejects: { name: string; wire_hex: string; reason: string }[];
}

export function messageToJson(m: Message): JsonMessage {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) {
    if (Buffer.isBuffer(v)) out[k] = v.toString('hex');
    else if (v instanceof Int32Array) out[k] = Array.from(v);
    else out[k] = v;
  }
  return out as JsonMessage;
}

export function messageFromJson(j: JsonMessage): Message {
  const out: Record<string, unknown> = { ...j };
  if (j.type === 'shelfBatch') out.values = Int32Array.from(j.values as number[]);
  if (j.type === 'command') out.args = Buffer.from(j.args as string, 'hex');
  if (j.type === 'response') out.data = Buffer.from(j.data as string, 'hex');
  return out as unknown as Message;
}
