import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { StoregateError } from '../../core/errors.js';

/**
 * The plaintext inside the envelope (gzip'd before encryption): u32 BE manifest length | manifest JSON | the
 * files' bytes one after another in manifest order. The manifest carries each file's size and sha256, so a
 * restore checks every file again after the GCM tag has vouched for the whole.
 */
export interface ManifestEntry {
  /** Path inside the backup: `data/registry.db`, `config/storegate.yaml`, `data/tls/http-key.pem`. */
  name: string;
  kind: 'sqlite' | 'config' | 'file';
  size: number;
  sha256: string;
}

export interface Manifest {
  format: 1;
  created_at: string;
  store_id: string;
  storegate_version: string;
  /** The config file's path when the backup was made (restore writes to the current --config path). */
  config_file: string | null;
  files: ManifestEntry[];
}

const MAX_MANIFEST_BYTES = 1024 * 1024;
const SAFE_NAME = /^(data|config)\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)?$/;

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The payload as a byte stream: manifest, then each staged file read from `dir/<name>`. */
export async function* payloadOf(manifest: Manifest, dir: string): AsyncGenerator<Buffer> {
  const json = Buffer.from(JSON.stringify(manifest), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length);
  yield Buffer.concat([len, json]);
  for (const entry of manifest.files) {
    for await (const chunk of createReadStream(join(dir, entry.name))) yield chunk as Buffer;
  }
}

function checkManifest(value: unknown): Manifest {
  const m = value as Manifest;
  const bad = (why: string) => new StoregateError('SG_BACKUP_INVALID', `backup manifest ${why}`);
  if (m?.format !== 1 || !Array.isArray(m.files)) throw bad('has an unknown format');
  for (const f of m.files) {
    // Names become paths under the staging directory: nothing that could climb out of it.
    if (typeof f.name !== 'string' || !SAFE_NAME.test(f.name) || f.name.includes('..')) {
      throw bad(`names an unsafe path ${JSON.stringify(f.name)}`);
    }
    if (!Number.isSafeInteger(f.size) || f.size < 0) throw bad(`gives ${f.name} a bad size`);
  }
  return m;
}

/**
 * Consume the decrypted, decompressed payload, writing each file under `dir`. Returns the manifest. The bytes
 * are only trustworthy once the surrounding pipeline has finished (the GCM tag is checked at its end).
 */
export function payloadWriter(dir: string, mkdirFor: (file: string) => Promise<void>) {
  let manifest: Manifest | undefined;
  const consume = async (source: AsyncIterable<Buffer>): Promise<void> => {
    let pending: Buffer = Buffer.alloc(0);
    let index = 0;
    let remaining = 0;
    let handle: FileHandle | undefined;
    const openNext = async () => {
      while (manifest && index < manifest.files.length) {
        const entry = manifest.files[index]!;
        const file = join(dir, entry.name);
        await mkdirFor(file);
        handle = await open(file, 'wx', 0o600);
        remaining = entry.size;
        if (remaining > 0) return;
        await handle.close();
        handle = undefined;
        index++;
      }
    };
    try {
      for await (const chunk of source) {
        pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        if (!manifest) {
          if (pending.length < 4) continue;
          const len = pending.readUInt32BE(0);
          if (len > MAX_MANIFEST_BYTES)
            throw new StoregateError('SG_BACKUP_INVALID', 'backup manifest too large');
          if (pending.length < 4 + len) continue;
          manifest = checkManifest(JSON.parse(pending.subarray(4, 4 + len).toString('utf8')));
          pending = pending.subarray(4 + len);
          await openNext();
        }
        while (pending.length > 0 && handle) {
          const part = pending.subarray(0, remaining);
          await handle.write(part);
          remaining -= part.length;
          pending = pending.subarray(part.length);
          if (remaining === 0) {
            await handle.close();
            handle = undefined;
            index++;
            await openNext();
          }
        }
        if (pending.length > 0 && !handle) {
          throw new StoregateError('SG_BACKUP_INVALID', 'backup payload has bytes after its last file');
        }
      }
      if (!manifest || handle || index < manifest.files.length) {
        throw new StoregateError('SG_BACKUP_INVALID', 'backup payload ends before its last file');
      }
    } finally {
      await handle?.close();
    }
  };
  return { consume, manifest: () => manifest };
}
