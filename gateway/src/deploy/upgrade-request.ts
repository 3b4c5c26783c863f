import { closeSync, constants, fstatSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { StoregateError } from '../core/errors.js';

/**
 * The handoff of a remote upgrade from the gateway (user `storegate`) to the root helper
 * (deploy/storegate-upgrade.path → storegate-upgrade.service → `storegate upgrade --from-request FILE`).
 * The gateway writes `data_dir/upgrade-request.json` (tmp + rename); the helper takes it (reads it and
 * removes it, so the path unit does not fire again) and re-checks everything it names itself: the writer
 * is not trusted.
 */
export const UPGRADE_REQUEST_FILE = 'upgrade-request.json';
/** Where remote artifacts must be, under data_dir (the helper's --artifact-dir, by default beside the request). */
export const INCOMING_DIR = 'incoming';
const MAX_BYTES = 16_384;

export const upgradeRequestSchema = z.strictObject({
  format: z.literal('storegate-upgrade-request/1'),
  request_id: z.string().min(1).max(200),
  artifact: z.string().min(1).max(4096),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  force: z.boolean(),
  downgrade: z.boolean(),
  requested_at: z.number().int(),
  /** The release the gateway ran when it asked (for the record; the helper reads `current` itself). */
  from: z.string().max(200),
});

export type UpgradeRequest = z.output<typeof upgradeRequestSchema>;

export function upgradeRequestFile(dataDir: string): string {
  return join(dataDir, UPGRADE_REQUEST_FILE);
}

/** Gateway side: write the request atomically (0600, exclusive tmp, renamed into place). */
export function writeUpgradeRequest(dataDir: string, request: UpgradeRequest): string {
  const file = upgradeRequestFile(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(upgradeRequestSchema.parse(request))}\n`);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  return file;
}

/**
 * Helper side (root): read the request without following a symlink, only from a regular file of bounded
 * size, and remove it. Its content is never echoed back (the record is readable by the service user, and a
 * request could name a file it may not read).
 */
export function takeUpgradeRequest(file: string): UpgradeRequest {
  let text: string;
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new StoregateError('SG_NOT_FOUND', `no upgrade request ${file}`);
    rmSync(file, { force: true }); // a symlink or a FIFO: removed, or the path unit would fire again and again
    throw new StoregateError('SG_BAD_ARGUMENT', `${file}: not a plain file (${code})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > MAX_BYTES) {
      throw new StoregateError('SG_BAD_ARGUMENT', `${file}: not a plain file of at most ${MAX_BYTES} bytes`);
    }
    const buf = Buffer.alloc(st.size);
    readSync(fd, buf, 0, st.size, 0);
    text = buf.toString('utf8');
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new StoregateError('SG_BAD_ARGUMENT', `${file}: not JSON`);
  }
  const result = upgradeRequestSchema.safeParse(parsed);
  if (!result.success) {
    const where = result.error.issues.map((i) => i.path.join('.') || '(top)').join(', ');
    throw new StoregateError('SG_BAD_ARGUMENT', `${file}: not a valid upgrade request (${where})`);
  }
  return result.data;
}
