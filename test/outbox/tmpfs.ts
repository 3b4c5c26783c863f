import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmdirSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real, small filesystem for disk-full tests: a tmpfs mounted for the test (as root), or one mounted
 * beforehand and named by SG_TEST_TMPFS (it must be empty). Anything else fails with the command to run:
 * a disk-full test that silently ran on a big disk would prove nothing.
 */
export function smallFilesystem(sizeMiB: number): { dir: string; release(): void } {
  const given = process.env.SG_TEST_TMPFS;
  if (given) {
    if (readdirSync(given).length > 0) throw new Error(`SG_TEST_TMPFS=${given} must be an empty filesystem`);
    const fs = statfsSync(given);
    if (fs.blocks * fs.bsize > 2 * sizeMiB * 1024 * 1024) {
      throw new Error(
        `SG_TEST_TMPFS=${given} is larger than ${2 * sizeMiB} MiB: mount it with size=${sizeMiB}m`,
      );
    }
    return { dir: given, release: () => execFileSync('sh', ['-c', `rm -rf '${given}'/* '${given}'/.[!.]*`]) };
  }
  if (process.getuid?.() !== 0) {
    throw new Error(
      `this test needs a real ${sizeMiB} MiB filesystem. Run it as root (it mounts a tmpfs itself), or mount one ` +
        `as root first: sudo mkdir -p /tmp/sg-tmpfs && sudo mount -t tmpfs -o size=${sizeMiB}m,uid=$(id -u) tmpfs ` +
        '/tmp/sg-tmpfs — then run the tests with SG_TEST_TMPFS=/tmp/sg-tmpfs',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'sg-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir]);
  return {
    dir,
    release() {
      execFileSync('umount', [dir]);
      rmdirSync(dir);
    },
  };
}
