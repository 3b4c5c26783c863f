import { crc32 } from 'node:zlib';
import { WaitTimeoutError } from '../../../shared/src/waitress.js';
import { DeviceCommandError } from '../protocol/commands.js';
import type { Session } from '../session.js';

export interface FlashProgress {
  phase: 'begin' | 'transfer' | 'verify' | 'apply' | 'done';
  /** Bytes the device has acknowledged. */
  acked: number;
  total: number;
  /** Where the device told us to start (> 0 when resuming an interrupted transfer). */
  resumedFrom: number;
}

export interface FlashOptions {
  version: string;
  chunkSize?: number;
  /** Attempts per chunk before giving up (a later run resumes where this one stopped). */
  retries?: number;
  chunkTimeoutMs?: number;
  rebootTimeoutMs?: number;
  onProgress?(p: FlashProgress): void;
}

export interface FlashResult {
  resumedFrom: number;
  firmware: string;
  chunksSent: number;
  retransmits: number;
}

export class FlashError extends Error {
  override readonly name = 'FlashError';
}

/**
 * Host side of firmware update (PROTOCOL.md §Firmware update): begin (device answers where to resume),
 * chunks with CRC-16 each, in order, retried on timeout or CRC error; verify the whole image's CRC-32; apply,
 * then wait for the device's hello and check it runs the new version.
 */
export async function flashFirmware(
  session: Session,
  image: Buffer,
  opts: FlashOptions,
): Promise<FlashResult> {
  const chunkSize = opts.chunkSize ?? 512;
  const retries = opts.retries ?? 4;
  const timeoutMs = opts.chunkTimeoutMs ?? 1_000;
  const imageCrc = crc32(image) >>> 0;
  const report = (phase: FlashProgress['phase'], acked: number) =>
    opts.onProgress?.({ phase, acked, total: image.length, resumedFrom });

  const begin = async () =>
    (
      await session.request(
        'fwBegin',
        { size: image.length, crc32: imageCrc, chunkSize, version: opts.version },
        timeoutMs,
      )
    ).nextOffset;
  let offset = await begin();
  const resumedFrom = offset;
  if (offset > image.length)
    throw new FlashError(`device wants offset ${offset} beyond the ${image.length}-byte image`);
  report('begin', offset);
  let chunksSent = 0;
  let retransmits = 0;
  while (offset < image.length) {
    const data = image.subarray(offset, Math.min(image.length, offset + chunkSize));
    for (let attempt = 1; ; attempt++) {
      try {
        chunksSent++;
        offset = (await session.request('fwChunk', { offset, data }, timeoutMs)).nextOffset;
        break;
      } catch (err) {
        const retriable =
          err instanceof WaitTimeoutError ||
          (err instanceof DeviceCommandError && err.errorName === 'crcMismatch');
        if (err instanceof DeviceCommandError && err.errorName === 'badState') {
          offset = await begin(); // we and the device disagree on the position: ask it
          break;
        }
        if (!retriable || attempt >= retries) {
          throw new FlashError(
            `transfer stopped at byte ${offset} of ${image.length}: ${(err as Error).message}`,
            {
              cause: err,
            },
          );
        }
        retransmits++;
      }
    }
    report('transfer', offset);
  }
  report('verify', offset);
  const verified = await session.request('fwVerify', {}, Math.max(timeoutMs, 5_000));
  if (verified.crc32 !== imageCrc)
    throw new FlashError(
      `device computed CRC-32 ${verified.crc32.toString(16)}, image is ${imageCrc.toString(16)}`,
    );
  report('apply', offset);
  const hello = session.nextHello(opts.rebootTimeoutMs ?? 10_000);
  await session.request('fwApply', {}, timeoutMs);
  const booted = await hello;
  if (booted.firmware !== opts.version) {
    throw new FlashError(
      `device rebooted into ${booted.firmware}, expected ${opts.version} (bootloader fell back?)`,
    );
  }
  report('done', image.length);
  return { resumedFrom, firmware: booted.firmware, chunksSent, retransmits };
}
