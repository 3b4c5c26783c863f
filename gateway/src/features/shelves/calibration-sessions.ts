import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../../shared/src/clock.js';
import { type Prompter, runCalibrationWizard } from '../../cli/calibration/wizard.js';
import { type CalibrationRecord, calibrationToWire } from '../../core/calibration.js';
import { type ErrorCode, hintOf, StoregateError } from '../../core/errors.js';
import { assertPlate, collectSamples, type LiveProcessor } from './sample-window.js';

/** What the sessions need from the running shelves feature. */
export interface CalibrationTarget extends LiveProcessor {
  readonly store: { saveCalibration(record: CalibrationRecord, at: number): void };
  reload(): void;
}

export type SessionState = 'running' | 'asking' | 'saved' | 'failed' | 'cancelled';

export interface CalibrationSessionView {
  id: string;
  device: string;
  channel: number;
  state: SessionState;
  /** What the wizard said so far, in order (the same lines `storegate calibrate` prints). */
  messages: string[];
  /** The question waiting for an answer while `state` is `asking`. */
  question: string | null;
  error: { code: ErrorCode; message: string; hint?: string } | null;
  calibration: ReturnType<typeof calibrationToWire> | null;
}

interface Session {
  view: CalibrationSessionView;
  owner: string;
  lastActive: number;
  pending: { resolve(answer: string): void; reject(err: Error): void } | null;
}

/** Before any physical step: the plate must be in the planogram and sending, else nobody lifts a weight. */
const CHECK_MS = 1500;
/** An abandoned session (browser closed) is cancelled after this much silence. */
const IDLE_MS = 10 * 60_000;
const MAX_SESSIONS = 16;

/**
 * Installer-guided calibration for the web: the same wizard as `storegate calibrate`
 * (cli/calibration/wizard.ts) runs here in the gateway; its questions wait for answers posted by the browser,
 * its measurements read the plate in process (the same sample window as the CLI's HTTP route), and the result
 * is saved the way `PUT /api/calibrations/:device/:channel` saves it, recorded as the logged-in installer.
 */
export class CalibrationSessions {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly target: CalibrationTarget,
    private readonly clock: Clock,
  ) {}

  async start(
    device: string,
    channel: number,
    who: string,
    opts: { measureMs: number },
  ): Promise<CalibrationSessionView> {
    this.expire();
    assertPlate(this.target, device, channel);
    for (const s of this.sessions.values()) {
      if (s.view.device === device && s.view.channel === channel && this.active(s)) {
        throw new StoregateError(
          'SG_CONFLICT',
          `${device} channel ${channel} is being calibrated by ${s.owner}`,
          {
            hint: 'finish or cancel that session first',
          },
        );
      }
    }
    if ([...this.sessions.values()].filter((s) => this.active(s)).length >= MAX_SESSIONS) {
      throw new StoregateError('SG_THROTTLED', 'too many calibrations at once');
    }
    const { samples } = await collectSamples(this.target, this.clock, device, channel, CHECK_MS);
    if (samples.length === 0) {
      throw new StoregateError(
        'SG_NOT_READY',
        `no readings from ${device} channel ${channel} in ${CHECK_MS / 1000} s`,
        {
          hint: 'is the shelf controller powered and connected? see its row in the device list',
        },
      );
    }
    const id = randomUUID();
    const session: Session = {
      owner: who,
      lastActive: this.clock.monotonic(),
      pending: null,
      view: {
        id,
        device,
        channel,
        state: 'running',
        messages: [],
        question: null,
        error: null,
        calibration: null,
      },
    };
    this.sessions.set(id, session);
    void this.run(session, who, opts.measureMs);
    return this.snapshot(session);
  }

  get(id: string): CalibrationSessionView {
    const s = this.find(id);
    s.lastActive = this.clock.monotonic();
    return this.snapshot(s);
  }

  answer(id: string, text: string, who: string): CalibrationSessionView {
    const s = this.owned(id, who);
    if (s.view.state !== 'asking' || !s.pending) {
      throw new StoregateError(
        'SG_CONFLICT',
        `calibration ${id} is not waiting for an answer (${s.view.state})`,
      );
    }
    const { resolve } = s.pending;
    s.pending = null;
    s.view.messages.push(`${s.view.question ?? ''}${text}`);
    s.view.question = null;
    s.view.state = 'running';
    s.lastActive = this.clock.monotonic();
    resolve(text);
    return this.snapshot(s);
  }

  cancel(id: string, who?: string): CalibrationSessionView {
    const s = who === undefined ? this.find(id) : this.owned(id, who);
    if (this.active(s)) {
      s.view.state = 'cancelled';
      s.pending?.reject(new StoregateError('SG_CONFLICT', 'calibration cancelled'));
      s.pending = null;
      s.view.question = null;
    }
    return this.snapshot(s);
  }

  /** Cancel every open session (the feature stops). */
  cancelAll(): void {
    for (const id of this.sessions.keys()) this.cancel(id);
  }

  private async run(s: Session, who: string, measureMs: number): Promise<void> {
    const prompter: Prompter = {
      say: (text) => s.view.messages.push(text),
      ask: (question) =>
        new Promise<string>((resolve, reject) => {
          if (s.view.state === 'cancelled')
            return reject(new StoregateError('SG_CONFLICT', 'calibration cancelled'));
          s.view.state = 'asking';
          s.view.question = question;
          s.pending = { resolve, reject };
        }),
    };
    const source = {
      read: async (device: string, channel: number, ms: number) =>
        (await collectSamples(this.target, this.clock, device, channel, ms)).samples,
    };
    try {
      const record = await runCalibrationWizard(source, prompter, {
        device: s.view.device,
        channel: s.view.channel,
        measureMs,
        installer: who,
        now: () => this.clock.now(),
      });
      if (s.view.state === 'cancelled') return;
      this.target.store.saveCalibration(record, this.clock.now());
      this.target.reload();
      s.view.calibration = calibrationToWire(record);
      s.view.state = 'saved';
      s.view.messages.push(`calibration of ${record.device} channel ${record.channel} saved`);
    } catch (err) {
      if (s.view.state === 'cancelled') return;
      const e =
        err instanceof StoregateError ? err : new StoregateError('SG_INTERNAL', (err as Error).message);
      const hint = hintOf(e);
      s.view.error = { code: e.code, message: e.message, ...(hint ? { hint } : {}) };
      s.view.state = 'failed';
      s.view.question = null;
    }
  }

  /** Web calibrations running or waiting for the installer (what `storegate upgrade` waits out). */
  openCount(): number {
    return [...this.sessions.values()].filter((s) => this.active(s)).length;
  }

  private active(s: Session): boolean {
    return s.view.state === 'running' || s.view.state === 'asking';
  }

  private find(id: string): Session {
    const s = this.sessions.get(id);
    if (!s) throw new StoregateError('SG_NOT_FOUND', `no calibration session ${id}`);
    return s;
  }

  /** Only the installer who started a calibration steps through it (the record carries their name). */
  private owned(id: string, who: string): Session {
    const s = this.find(id);
    if (s.owner !== who) {
      throw new StoregateError('SG_FORBIDDEN', `calibration ${id} was started by ${s.owner}`);
    }
    return s;
  }

  private expire(): void {
    const now = this.clock.monotonic();
    for (const [id, s] of this.sessions) {
      if (now - s.lastActive < IDLE_MS) continue;
      this.cancel(id);
      this.sessions.delete(id);
    }
  }

  private snapshot(s: Session): CalibrationSessionView {
    return { ...s.view, messages: [...s.view.messages] };
  }
}
