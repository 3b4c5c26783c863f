import { crc32 } from 'node:zlib';
import type { CommandArgs, CommandResult } from '../protocol/commands.js';
import { ErrorCode } from '../protocol/constants.js';
import { crc16 } from '../protocol/crc.js';

type Reply<T> = { error: number; result?: T };

/**
 * Device side of firmware update, as a bootloader would keep it in a flash staging slot: chunks must arrive
 * in order, each with a valid CRC-16; a fwBegin for the same image (size, CRC-32, version) resumes at the
 * bytes already staged, anything else starts over. Apply only after a successful verify.
 */
export class Bootloader {
  private image: { size: number; crc32: number; version: string; data: Buffer; received: number } | null =
    null;
  private verified = false;
  /** Test hook: stop answering chunks after this many bytes (a cable pulled mid-transfer). */
  dropAfterBytes: number | null = null;

  begin(a: CommandArgs['fwBegin']): Reply<CommandResult['fwBegin']> {
    if (a.size === 0 || a.size > 16 * 1024 * 1024 || a.chunkSize === 0)
      return { error: ErrorCode.badArgument };
    const same =
      this.image &&
      this.image.size === a.size &&
      this.image.crc32 === a.crc32 &&
      this.image.version === a.version;
    if (!same) {
      this.image = {
        size: a.size,
        crc32: a.crc32,
        version: a.version,
        data: Buffer.alloc(a.size),
        received: 0,
      };
    }
    this.verified = false;
    return { error: ErrorCode.ok, result: { nextOffset: this.image!.received } };
  }

  /** Returns null when the emulated device should stay silent (dropAfterBytes reached). */
  chunk(a: { offset: number; crc16: number; data: Buffer }): Reply<CommandResult['fwChunk']> | null {
    const img = this.image;
    if (!img) return { error: ErrorCode.badState };
    if (this.dropAfterBytes !== null && img.received >= this.dropAfterBytes) return null;
    if (crc16(a.data) !== a.crc16) return { error: ErrorCode.crcMismatch };
    if (a.offset !== img.received) {
      // a duplicate of the last chunk (its ack was lost) is acknowledged, not an error
      if (a.offset + a.data.length === img.received)
        return { error: ErrorCode.ok, result: { nextOffset: img.received } };
      return { error: ErrorCode.badState };
    }
    if (a.offset + a.data.length > img.size) return { error: ErrorCode.badArgument };
    a.data.copy(img.data, a.offset);
    img.received += a.data.length;
    return { error: ErrorCode.ok, result: { nextOffset: img.received } };
  }

  verify(): Reply<CommandResult['fwVerify']> {
    const img = this.image;
    if (!img || img.received !== img.size) return { error: ErrorCode.badState };
    const actual = crc32(img.data) >>> 0;
    if (actual !== img.crc32) {
      this.image = null;
      return { error: ErrorCode.crcMismatch };
    }
    this.verified = true;
    return { error: ErrorCode.ok, result: { crc32: actual } };
  }

  /** The version to boot into, or an error if nothing verified is staged. */
  apply(): { error: number; version?: string } {
    if (!this.image || !this.verified) return { error: ErrorCode.badState };
    const version = this.image.version;
    this.image = null;
    this.verified = false;
    return { error: ErrorCode.ok, version };
  }

  get stagedBytes(): number {
    return this.image?.received ?? 0;
  }
}
