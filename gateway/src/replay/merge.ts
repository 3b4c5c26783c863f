import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { type InputLine, linesWithOffsets, type SortedRun, scanFile, timeAndStream } from './input-scan.js';

/** Runs read back at once; a file cut into more (interleaved, not per-device blocks) is sorted in memory. */
const MAX_OPEN_RUNS = 256;

export interface InputFile {
  path: string;
  /** How positions are named: the path (`path:12`), or null for stdin spooled to a file (`line 12`). */
  label: string | null;
}

interface Timed extends InputLine {
  t: number;
}

interface Head {
  line: Timed;
  order: number;
  rest: AsyncIterator<Timed>;
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
  const sources: AsyncIterator<Timed>[] = [];
  files.forEach((f, i) => {
    const fileRuns = runs[i]!;
    if (open > MAX_OPEN_RUNS && fileRuns.length > 1) {
      open -= fileRuns.length - 1;
      sources.push(sortedInMemory(f, fileRuns));
    } else for (const run of fileRuns) sources.push(readRun(f, run));
  });
  const heap: Head[] = [];
  for (let order = 0; order < sources.length; order++) {
    const rest = sources[order]!;
    const first = await rest.next();
    if (!first.done) push(heap, { line: first.value, order, rest });
  }
  while (heap.length > 0) {
    const head = heap[0]!;
    yield head.line;
    const next = await head.rest.next();
    if (next.done) pop(heap);
    else {
      head.line = next.value;
      siftDown(heap, 0);
    }
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

async function* readRun(f: InputFile, run: SortedRun): AsyncGenerator<Timed> {
  const stream = createReadStream(f.path, { start: run.start, end: run.end - 1, highWaterMark: 1 << 16 });
  let n = run.firstLine - 1;
  let prevT = Number.NEGATIVE_INFINITY;
  for await (const text of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
    n++;
    if (run.skip.has(n)) continue;
    const line = timed(f, text, n, prevT);
    prevT = line.t;
    yield line;
  }
}

/** A file of many short runs: all its lines, stably sorted by time (untimed lines keep their neighbour's). */
async function* sortedInMemory(f: InputFile, runs: readonly SortedRun[]): AsyncGenerator<Timed> {
  const skip = new Set<number>();
  for (const r of runs) for (const n of r.skip) skip.add(n);
  const lines: Timed[] = [];
  let prevT = Number.NEGATIVE_INFINITY;
  for await (const { text, n } of linesWithOffsets(f.path)) {
    if (skip.has(n)) continue;
    const line = timed(f, text, n, prevT);
    prevT = line.t;
    lines.push(line);
  }
  lines.sort((a, b) => a.t - b.t);
  yield* lines;
}

const before = (a: Head, b: Head) => a.line.t < b.line.t || (a.line.t === b.line.t && a.order < b.order);

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
