import { createReadStream } from 'node:fs';

/** One input line as replay reads it: its text, where it came from (`file:12`, or `line 12` on stdin), parsed. */
export interface InputLine {
  text: string;
  at: string;
  /** The parsed JSON when the reader already parsed it (merged files); replay parses `text` otherwise. */
  json?: unknown;
  /** A reason to reject this line without reading it (a device going back in time). */
  reject?: string;
}

/** A stretch of one file whose lines are in time order: read back sequentially and merged with the others. */
export interface SortedRun {
  file: string;
  label: string;
  /** Byte range [start, end) of whole lines. */
  start: number;
  end: number;
  /** Line number of the first line in the range. */
  firstLine: number;
  /** Lines inside the range to skip (rejected while scanning), by line number. */
  skip: ReadonlySet<number>;
}

export interface ScannedFile {
  runs: SortedRun[];
  /** Lines rejected while scanning, in file order. */
  rejects: InputLine[];
}

/** Merge time and stream of a line, as far as they can be told without a domain (null time: not a timed line). */
export function timeAndStream(json: unknown): { t: number | null; stream: string | null } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { t: null, stream: null };
  const line = json as Record<string, unknown>;
  // Lines merge by receipt when it was recorded (the order the live pipeline saw), else by `t`.
  const at = typeof line.received_at === 'number' ? line.received_at : line.t;
  const t = typeof at === 'number' && Number.isFinite(at) ? at : null;
  return { t, stream: streamOf(line) };
}

/**
 * The input stream a line belongs to: what must be in time order. A device (per channel for shelves: each
 * plate keeps its own clock) or one lane device (`replay:{lane}:{role}`, as lane lines are read).
 */
function streamOf(line: Record<string, unknown>): string | null {
  if (typeof line.device === 'string') {
    return typeof line.channel === 'number' ? `${line.device} channel ${line.channel}` : line.device;
  }
  if (typeof line.lane !== 'string') return null;
  const role = 'scan' in line ? 'scanner' : 'grams' in line ? 'scale' : 'pos' in line ? 'pos' : 'attendant';
  return `lane ${line.lane} ${role}`;
}

/** Split a file into whole lines with their byte offsets (LF or CRLF), without holding the file in memory. */
export async function* linesWithOffsets(
  file: string,
): AsyncGenerator<{ text: string; start: number; end: number; n: number }> {
  let carry: Buffer = Buffer.alloc(0);
  let offset = 0;
  let n = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    let buf = carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    let from = 0;
    for (let nl = buf.indexOf(10, from); nl >= 0; nl = buf.indexOf(10, from)) {
      const text = buf.toString('utf8', from, nl > from && buf[nl - 1] === 13 ? nl - 1 : nl);
      yield { text, start: offset + from, end: offset + nl + 1, n: ++n };
      from = nl + 1;
    }
    offset += from;
    buf = buf.subarray(from);
    carry = Buffer.from(buf);
  }
  if (carry.length > 0)
    yield { text: carry.toString('utf8'), start: offset, end: offset + carry.length, n: ++n };
}

/**
 * First pass over one input file: cut it into runs that are each in time order (a sorted file is one run,
 * per-device files concatenated are one run per device), and reject a line whose stream goes back in time —
 * each device's lines must be in order, the file as a whole need not be. Lines without a time stay in the run
 * they sit in and are rejected with their reason when replay reads them.
 */
export async function scanFile(file: string, label: string): Promise<ScannedFile> {
  const runs: SortedRun[] = [];
  const rejects: InputLine[] = [];
  const last = new Map<string, { t: number; n: number }>();
  let run: (SortedRun & { skip: Set<number>; lastT: number }) | null = null;
  for await (const line of linesWithOffsets(file)) {
    const trimmed = line.text.trim();
    let t: number | null = null;
    let stream: string | null = null;
    if (trimmed !== '' && !trimmed.startsWith('#')) {
      try {
        ({ t, stream } = timeAndStream(JSON.parse(trimmed)));
      } catch {
        // not JSON: rejected with that reason when replay reads it
      }
    }
    const at = `${label}:${line.n}`;
    if (t !== null && stream !== null) {
      const prev = last.get(stream);
      if (prev && t < prev.t) {
        rejects.push({
          text: line.text,
          at,
          reject: `${stream} goes back in time: t ${t} is before t ${prev.t} at ${label}:${prev.n} (each device's lines must be in time order)`,
        });
        if (run) run.skip.add(line.n);
        continue;
      }
      last.set(stream, { t, n: line.n });
    }
    if (!run || (t !== null && t < run.lastT)) {
      if (run) runs.push(run);
      run = {
        file,
        label,
        start: line.start,
        end: line.end,
        firstLine: line.n,
        skip: new Set(),
        lastT: t ?? -Infinity,
      };
    }
    run.end = line.end;
    if (t !== null) run.lastT = t;
  }
  if (run) runs.push(run);
  return { runs, rejects };
}
