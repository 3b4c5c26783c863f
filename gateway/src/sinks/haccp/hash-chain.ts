import { createHash } from 'node:crypto';

/** One record of a unit's chain as stored; `body` is the exact JSON text that was hashed. */
export interface ChainRow {
  unit: string;
  seq: number;
  t: number;
  kind: string;
  ref: string | null;
  body: string;
  prev: string;
  hash: string;
}

/** The `prev` of a unit's first record: binds the chain to its unit, so records cannot move between units. */
export function genesisHash(unit: string): string {
  return sha256(`storegate-haccp-v1\n${unit}`);
}

/** SHA-256 over the previous hash and every stored field: any edit, move or reorder changes it. */
export function recordHash(r: Omit<ChainRow, 'hash'>): string {
  return sha256([r.prev, r.unit, r.seq, r.t, r.kind, r.ref ?? '', r.body].join('\n'));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface ChainProblem {
  unit: string;
  seq: number | null;
  problem: 'edited' | 'missing' | 'reordered' | 'head_mismatch' | 'no_head' | 'unknown_unit';
  detail: string;
}

/**
 * Walk one unit's rows in seq order from `start` (genesis, or the anchor left by pruning) and compare the end
 * with the stored head. Reports the first problem of each kind it meets, and where.
 */
export function verifyChain(
  unit: string,
  rows: Iterable<ChainRow>,
  start: { seq: number; hash: string },
  head: { seq: number; hash: string } | undefined,
): { records: number; problems: ChainProblem[]; last: { seq: number; hash: string } } {
  const problems: ChainProblem[] = [];
  let expectedSeq = start.seq + 1;
  let prev = start.hash;
  let records = 0;
  for (const r of rows) {
    records++;
    if (r.seq !== expectedSeq) {
      problems.push({
        unit,
        seq: r.seq,
        problem: r.seq > expectedSeq ? 'missing' : 'reordered',
        detail: `expected record ${expectedSeq}, found ${r.seq}`,
      });
    } else if (r.prev !== prev) {
      problems.push({
        unit,
        seq: r.seq,
        problem: 'reordered',
        detail: 'does not follow the record before it',
      });
    }
    if (recordHash(r) !== r.hash) {
      problems.push({ unit, seq: r.seq, problem: 'edited', detail: 'content does not match its hash' });
    }
    expectedSeq = r.seq + 1;
    prev = r.hash;
  }
  const last = { seq: expectedSeq - 1, hash: prev };
  if (!head) {
    if (records > 0)
      problems.push({ unit, seq: null, problem: 'no_head', detail: 'records without a chain head' });
  } else if (head.seq !== last.seq || head.hash !== last.hash) {
    problems.push({
      unit,
      seq: head.seq,
      problem: head.seq > last.seq ? 'missing' : 'head_mismatch',
      detail: `head says record ${head.seq}, chain ends at ${last.seq}`,
    });
  }
  return { records, problems, last };
}
