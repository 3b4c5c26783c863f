import { fstatSync } from 'node:fs';
import pino from 'pino';

/** pino level → syslog priority (journald's PRIORITY=): trace/debug 7, info 6, warn 4, error 3, fatal 2. */
export function priorityOf(level: number): number {
  if (level >= 60) return 2;
  if (level >= 50) return 3;
  if (level >= 40) return 4;
  if (level >= 30) return 6;
  return 7;
}

/**
 * True when stdout is the journal stream systemd connected (`JOURNAL_STREAM=dev:inode` matches fd 1), as
 * under the storegate unit; not when the same environment leaks into a pipe or a terminal.
 */
export function stdoutIsJournal(env: NodeJS.ProcessEnv): boolean {
  const [dev, ino] = (env.JOURNAL_STREAM ?? '').split(':');
  if (!dev || !ino) return false;
  try {
    const st = fstatSync(1, { bigint: true });
    return st.dev === BigInt(dev) && st.ino === BigInt(ino);
  } catch {
    return false;
  }
}

const LEVEL = /^\{"level":(\d+)/;

/**
 * A pino destination for the journal: each JSON line gets a `<priority>` prefix, which journald turns into
 * the entry's PRIORITY (SyslogLevelPrefix=, on by default), so `journalctl -u storegate -p warning` works and
 * errors show in red. The line itself stays JSON (`journalctl -o cat | jq` still reads it).
 */
export function journalDestination(): pino.DestinationStream {
  const out = pino.destination({ dest: 1, sync: true });
  return {
    write(line: string) {
      const level = LEVEL.exec(line);
      out.write(level ? `<${priorityOf(Number(level[1]))}>${line}` : line);
    },
  };
}
