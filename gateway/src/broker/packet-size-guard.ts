import type { Readable } from 'node:stream';

/**
 * Tracks MQTT frame boundaries in a byte stream without buffering packet bodies: it reads each fixed header
 * (1 type byte + 1–4 remaining-length bytes) and then only counts bytes until the next header. aedes 1.2 has no
 * maximum packet size, and its parser (mqtt-packet) accumulates a whole packet before looking at it, so a
 * device announcing a 200 MB packet would make the broker buffer 200 MB. This sees the announced size after at
 * most 5 bytes.
 */
export class MqttFrameScanner {
  /** Bytes of the current packet body still to skip. */
  private remainingBody = 0;
  /** 0: expecting a type byte; 1..4: reading remaining-length byte n. */
  private headerPos = 0;
  private lengthValue = 0;
  private lengthMultiplier = 1;

  constructor(private readonly maxPacketBytes: number) {}

  /** Returns null while every announced packet fits, else the offending packet's total size (or -1 if malformed). */
  feed(chunk: Uint8Array): number | null {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.remainingBody > 0) {
        const skip = Math.min(this.remainingBody, n - i);
        this.remainingBody -= skip;
        i += skip;
        continue;
      }
      const byte = chunk[i++]!;
      if (this.headerPos === 0) {
        this.headerPos = 1;
        this.lengthValue = 0;
        this.lengthMultiplier = 1;
        continue;
      }
      this.lengthValue += (byte & 0x7f) * this.lengthMultiplier;
      this.lengthMultiplier *= 128;
      if (byte & 0x80) {
        // MQTT allows at most 4 remaining-length bytes
        if (++this.headerPos > 4) return -1;
        continue;
      }
      const total = 1 + this.headerPos + this.lengthValue;
      if (total > this.maxPacketBytes) return total;
      this.remainingBody = this.lengthValue;
      this.headerPos = 0;
    }
    return null;
  }
}

/**
 * Inspect every chunk a readable stream receives before it is buffered. Works on net/TLS sockets and the ws
 * duplex alike because all of them hand incoming bytes to `push()`. On a violation the chunk is dropped, the
 * stream is destroyed and `onViolation` is called once.
 */
export function guardPacketSize(
  stream: Readable,
  maxPacketBytes: number,
  onViolation: (announcedBytes: number) => void,
): void {
  const scanner = new MqttFrameScanner(maxPacketBytes);
  const push = stream.push.bind(stream);
  let violated = false;
  stream.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
    if (violated) return false;
    if (chunk instanceof Uint8Array) {
      const bad = scanner.feed(chunk);
      if (bad !== null) {
        violated = true;
        onViolation(bad);
        stream.destroy();
        return false;
      }
    }
    return push(chunk, encoding);
  };
}
