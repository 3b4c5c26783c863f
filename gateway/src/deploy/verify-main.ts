import { readManifest, verifyRelease } from './manifest.js';

/**
 * `node dist/gateway/src/deploy/verify-main.js DIR`: install.sh's check of an unpacked release before anything
 * loads its native addons. Prints the version on success; every problem and exit 1 otherwise.
 */
const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: verify-main.js RELEASE_DIR\n');
  process.exit(2);
}
const problems = verifyRelease(dir);
if (problems.length > 0) {
  process.stderr.write(`error [SG_RELEASE_INVALID] ${dir} is not a usable release:\n`);
  for (const p of problems.slice(0, 20)) process.stderr.write(`  ${p}\n`);
  if (problems.length > 20) process.stderr.write(`  … and ${problems.length - 20} more\n`);
  process.exit(1);
}
process.stdout.write(`${readManifest(dir).version}\n`);
