// Does bare aedes 1.2.0 (default options) still overflow its stack on a QoS 0 flood + forced close?
// The overflow is a race (about one run in seven on a quiet machine), so this is a script that reports a rate,
// not a test: a test that depends on losing a race fails at random. Run after upgrading aedes or mqemitter:
//   npm run build && node test/broker/aedes-overflow-canary.mjs [runs]
// "0 of N crashed" over many runs means upstream fixed it and the guard in broker/ can be revisited.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const runs = Number(process.argv[2] ?? 14);
let crashed = 0;
for (let run = 0; run < runs; run++) {
  const r = spawnSync(process.execPath, [join(here, 'flood-child.mjs'), 'bare', '5', '100', '2000'], {
    cwd: join(here, '..', '..'),
    encoding: 'utf8',
    timeout: 90_000,
  });
  if (r.status !== 0 && /Maximum call stack size exceeded/.test(r.stderr)) crashed++;
}
console.log(`bare aedes 1.2.0: ${crashed} of ${runs} flood runs overflowed the stack`);
