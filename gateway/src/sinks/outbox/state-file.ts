import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { z } from 'zod';

/**
 * `${data_dir}/outbox.state.json`: a small copy of what the outbox database says about itself, written
 * beside it. It is how a missing, emptied or rolled-back outbox.db is told from a first start, and it names
 * the last seqs known to be assigned, so the loss event can say what may be gone.
 */
export const stateFileSchema = z.object({
  format: z.literal(1),
  epoch: z.number().int().min(0),
  epoch_started_at: z.number(),
  saved_at: z.number(),
  must_deliver: z.number().int().min(0),
  telemetry: z.number().int().min(0),
  streams: z.record(z.string(), z.number().int().min(0)),
});

export type OutboxStateFile = z.infer<typeof stateFileSchema>;

export type StateFileRead =
  | { kind: 'absent' }
  | { kind: 'ok'; value: OutboxStateFile }
  | { kind: 'unreadable'; problem: string };

export function readStateFile(path: string): StateFileRead {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    return { kind: 'unreadable', problem: (err as Error).message };
  }
  try {
    const parsed = stateFileSchema.safeParse(JSON.parse(text));
    if (parsed.success) return { kind: 'ok', value: parsed.data };
    return { kind: 'unreadable', problem: parsed.error.issues.map((i) => i.message).join('; ') };
  } catch (err) {
    return { kind: 'unreadable', problem: (err as Error).message };
  }
}

/** Write atomically (temp file, fsync, rename): a crash leaves the old copy or the new one, never half. */
export function writeStateFile(path: string, value: OutboxStateFile): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, JSON.stringify(value));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
