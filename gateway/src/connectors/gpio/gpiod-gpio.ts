import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { systemClock } from '../../../../shared/src/clock.js';
import { StoregateError } from '../../core/errors.js';
import {
  type GpioLine,
  type GpioPort,
  type GpioValue,
  type GpioWatch,
  lineName,
  type WatchOptions,
} from './gpio-port.js';
import { gpiodArgs, parseGpiogetOutput, parseGpiomonLine, parseLibgpiodVersion } from './gpiod-output.js';

const run = promisify(execFile);

export interface GpiodTools {
  gpiomon: string;
  gpioget: string;
  gpioset: string;
}

/** Kernel edge timestamps are monotonic (or realtime on old kernels): re-anchored to the wall clock when off. */
const REANCHOR_MS = 1_000;

/**
 * GPIO over the Linux character device, driving Debian's libgpiod tools (package `gpiod`): one `gpiomon` per
 * watched line, `gpioget` for reads, a held `gpioset` per written line. Works with libgpiod v1 and v2 tools.
 * Edge times keep the kernel's spacing between edges (bounces of a few ms survive pipe batching) but are
 * anchored to the gateway clock.
 */
export class GpiodGpio implements GpioPort {
  readonly driver = 'gpiod' as const;
  private version: 1 | 2 | null = null;
  private readonly children = new Set<ChildProcess>();
  private readonly setters = new Map<string, ChildProcess>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly tools: GpiodTools = { gpiomon: 'gpiomon', gpioget: 'gpioget', gpioset: 'gpioset' },
    /** v1 gpiomon prints nothing once the line is requested: an exit within this time is a failed request. */
    private readonly startupGraceMs = 300,
  ) {}

  async watch(line: GpioLine, options: WatchOptions): Promise<GpioWatch> {
    const args = gpiodArgs(await this.toolVersion(), line.chip, line.line, line.activeLow ?? false);
    const initial = await this.read(line);
    const child = spawn(this.tools.gpiomon, args.mon, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.add(child);
    let active = true;
    let stderr = '';
    let anchor: { kernel: number; wall: number } | null = null;
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-500);
    });
    createInterface({ input: child.stdout! }).on('line', (text) => {
      const event = parseGpiomonLine(text);
      if (!active || !event) return;
      const wall = this.now();
      if (!anchor || Math.abs(anchor.wall + (event.timestampMs - anchor.kernel) - wall) > REANCHOR_MS) {
        anchor = { kernel: event.timestampMs, wall };
      }
      options.onEdge(
        event.edge === 'rising' ? 1 : 0,
        Math.round(anchor.wall + (event.timestampMs - anchor.kernel)),
      );
    });
    // A line that cannot be requested makes gpiomon exit at once: report that as a failed watch, not later.
    // Real time: this waits on a child process, not on domain time.
    const io = systemClock();
    const early = await new Promise<Error | null>((resolve) => {
      const timer = io.setTimeout(() => resolve(null), this.startupGraceMs);
      child.once('error', (err) => {
        io.clearTimeout(timer);
        resolve(err);
      });
      child.once('exit', (code) => {
        io.clearTimeout(timer);
        resolve(new Error(`gpiomon exited with ${code}: ${stderr.trim()}`));
      });
    });
    if (early) {
      this.children.delete(child);
      throw new StoregateError('SG_IO', `cannot watch ${lineName(line)}: ${early.message}`);
    }
    child.once('exit', (code, signal) => {
      this.children.delete(child);
      if (!active) return;
      active = false;
      options.onError?.(
        new StoregateError(
          'SG_IO',
          `gpiomon for ${lineName(line)} exited (${code ?? signal}): ${stderr.trim()}`,
        ),
      );
    });
    return {
      initial,
      stop: async () => {
        active = false;
        await this.kill(child);
      },
    };
  }

  async read(line: GpioLine): Promise<GpioValue> {
    const args = gpiodArgs(await this.toolVersion(), line.chip, line.line, line.activeLow ?? false);
    try {
      const { stdout } = await run(this.tools.gpioget, args.get, { timeout: 5_000 });
      return parseGpiogetOutput(stdout);
    } catch (err) {
      throw new StoregateError('SG_IO', `cannot read ${lineName(line)}: ${describe(err)}`, { cause: err });
    }
  }

  async write(line: GpioLine, value: GpioValue): Promise<void> {
    const args = gpiodArgs(await this.toolVersion(), line.chip, line.line, line.activeLow ?? false);
    const key = lineName(line);
    const previous = this.setters.get(key);
    if (previous) await this.kill(previous);
    const child = spawn(this.tools.gpioset, args.set(value), { stdio: 'ignore' });
    this.children.add(child);
    this.setters.set(key, child);
    child.once('exit', () => {
      this.children.delete(child);
      if (this.setters.get(key) === child) this.setters.delete(key);
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.children].map((c) => this.kill(c)));
    this.setters.clear();
  }

  private async toolVersion(): Promise<1 | 2> {
    if (this.version) return this.version;
    try {
      const { stdout } = await run(this.tools.gpiomon, ['--version'], { timeout: 5_000 });
      this.version = parseLibgpiodVersion(stdout);
      return this.version;
    } catch (err) {
      throw new StoregateError('SG_IO', `libgpiod tools not usable: ${describe(err)}`, {
        hint: 'install them with: sudo apt-get install -y gpiod',
      });
    }
  }

  private kill(child: ChildProcess): Promise<void> {
    this.children.delete(child);
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}

function describe(err: unknown): string {
  const e = err as { stderr?: string; message?: string };
  return (e.stderr?.trim() || e.message || String(err)).slice(0, 300);
}
