import { createReadStream } from 'node:fs';
import { type InputLine, linesWithOffsets, type SortedRun, scanFile, timeAndStream } from './input-scan.js';

/**
 * Runs read back at once (one open file each; a store's recording of per-plate blocks has a few hundred).
 * Beyond this, files cut into many runs (devices interleaved, not in time order) are sorted in memory.
 */
export const MAX_OPEN_RUNS = 512;

export interface InputFile {
  path: string;
  /** How positions are named: the path (`path:12`), or null for stdin spooled to a file (`line 12`). */
  label: string | null;
}

interface Timed extends InputLine {
  t: number;
}

/** A source's current chunk of lines (chunks, not single lines, keep the per-line cost synchronous). */
interface Head {
  chunk: Timed[];
  i: number;
  order: number;
  rest: AsyncIterator<Timed[]>;
}

/**
 * Every input file's lines merged into one stream in time order: a k-way merge over the sorted runs of all
 * files (each device's lines must be in order within its file; files and devices may interleave freely).
 * Equal times keep file order, then position. A line going back in time within its device is yielded first
 * as a rejection naming both positions; an untimed line (garbage, a comment) keeps its place in its run.
 */
export async function* mergeInputs(files: readonly InputFile[]): AsyncGenerator<InputLine> {
  const runs: SortedRun[][] = [];
  for (const f of files) {
    const scanned = await scanFile(f.path, f.label ?? '');
    for (const r of scanned.rejects) yield { ...r, at: position(f.label, r.at) };
    runs.push(scanned.runs);
  }
  let open = runs.reduce((n, r) => n + r.length, 0);
  // Many runs open at once read smaller chunks each (memory is chunk size × runs).
  const chunkBytes = open > 64 ? 1 << 14 : 1 << 16;
  const sources: AsyncIterator<Timed[]>[] = [];
  files.forEach((f, i) => {
    const fileRuns = runs[i]!;
    if (open > MAX_OPEN_RUNS && fileRuns.length > 1) {
      open -= fileRuns.length - 1;
      sources.push(sortedInMemory(f, fileRuns));
    } else for (const run of fileRuns) sources.push(readRun(f, run, chunkBytes));
  });
  const heap: Head[] = [];
  for (let order = 0; order < sources.length; order++) {
    const rest = sources[order]!;
    const first = await nextChunk(rest);
    if (first) push(heap, { chunk: first, i: 0, order, rest });
  }
  while (heap.length > 0) {
    const head = heap[0]!;
    yield head.chunk[head.i]!;
    if (++head.i === head.chunk.length) {
      const next = await nextChunk(head.rest);
      if (!next) {
        pop(heap);
        continue;
      }
      head.chunk = next;
      head.i = 0;
    }
    siftDown(heap, 0);
  }
}

async function nextChunk(rest: AsyncIterator<Timed[]>): Promise<Timed[] | null> {
  for (;;) {
    const r = await rest.next();
    if (r.done) return null;
    if (r.value.length > 0) return r.value;
  }
}

function position(label: string | null, at: string): string {
  return label === null ? `line ${at.slice(at.lastIndexOf(':') + 1)}` : at;
}

function timed(f: InputFile, text: string, n: number, prevT: number): Timed {
  const at = position(f.label, `${f.label ?? ''}:${n}`);
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return { text, at, t: prevT };
  try {
    const json: unknown = JSON.parse(trimmed);
    return { text, at, json, t: timeAndStream(json).t ?? prevT };
  } catch {
    return { text, at, t: prevT };
  }
}

async function* readRun(f: InputFile, run: SortedRun, chunkBytes: number): AsyncGenerator<Timed[]> {
  let n = run.firstLine - 1;
  let prevT = Number.NEGATIVE_INFINITY;
  for await (const texts of linesOfRange(f.path, run.start, run.end, chunkBytes)) {
    const chunk: Timed[] = [];
    for (const text of texts) {
      n++;
      if (run.skip.has(n)) continue;
      const line = timed(f, text, n, prevT);
      prevT = line.t;
      chunk.push(line);
    }
    yield chunk;
  }
}

/** The lines of bytes [start, end) of a file (whole lines, LF or CRLF), a read chunk's worth at a time. */
async function* linesOfRange(
  path: string,
  start: number,
  end: number,
  chunkBytes: number,
): AsyncGenerator<string[]> {
  if (end <= start) return;
  let carry = '';
  for await (const chunk of createReadStream(path, {
    start,
    end: end - 1,
    encoding: 'utf8',
    highWaterMark: chunkBytes,
  })) {
    const parts = (carry + (chunk as string)).split('\n');
    carry = parts.pop()!;
    yield parts.map((p) => (p.endsWith('\r') ? p.slice(0, -1) : p));
  }
  if (carry !== '') yield [carry.endsWith('\r') ? carry.slice(0, -1) : carry];
}

/** A file of many short runs: all its lines, stably sorted by time (untimed lines keep their neighbour's). */
async function* sortedInMemory(f: InputFile, runs: readonly SortedRun[]): AsyncGenerator<Timed[]> {
  const skip = new Set<number>();
  for (const r of runs) for (const n of r.skip) skip.add(n);
  const lines: Timed[] = [];
  let prevT = Number.NEGATIVE_INFINITY;
  for await (const { text, n } of linesWithOffsets(f.path)) {
    if (skip.has(n)) continue;
    const { json: _parsed, ...line } = timed(f, text, n, prevT); // only the text is kept: replay parses it again
    prevT = line.t;
    lines.push(line);
  }
  lines.sort((a, b) => a.t - b.t);
  yield lines;
}

const before = (a: Head, b: Head) => {
  const ta = a.chunk[a.i]!.t;
  const tb = b.chunk[b.i]!.t;
  return ta < tb || (ta === tb && a.order < b.order);
};

function push(heap: Head[], h: Head): void {
  heap.push(h);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i]!, heap[parent]!)) break;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}

function pop(heap: Head[]): void {
  const last = heap.pop()!;
  if (heap.length === 0) return;
  heap[0] = last;
  siftDown(heap, 0);
}

function siftDown(heap: Head[], i: number): void {
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
    if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
    if (m === i) return;
    [heap[i], heap[m]] = [heap[m]!, heap[i]!];
    i = m;
  }
}
