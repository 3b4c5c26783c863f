import { existsSync, lstatSync, readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * Where an installed Storegate lives under a root (`/` in production, a temporary directory in tests):
 * releases side by side in /opt/storegate/releases/<version>, `current` a relative symlink to one of them.
 */
export class InstallLayout {
  constructor(readonly root: string) {}

  get base(): string {
    return join(this.root, 'opt/storegate');
  }
  get releases(): string {
    return join(this.base, 'releases');
  }
  get currentLink(): string {
    return join(this.base, 'current');
  }
  release(version: string): string {
    return join(this.releases, version);
  }

  /** The version `current` points at, or null when nothing is installed. */
  currentVersion(): string | null {
    try {
      if (!lstatSync(this.currentLink).isSymbolicLink()) return null;
    } catch {
      return null;
    }
    return basename(readlinkSync(this.currentLink));
  }

  /** Point `current` at `version` in one rename, so a crash leaves either the old or the new link. */
  switchCurrent(version: string): void {
    if (!existsSync(this.release(version))) throw new Error(`no release ${version} in ${this.releases}`);
    const next = `${this.currentLink}.new`;
    rmSync(next, { force: true });
    symlinkSync(join('releases', version), next);
    renameSync(next, this.currentLink);
  }
}
