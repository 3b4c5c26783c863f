import type { Clock } from '../../../shared/src/clock.js';
import { type CommandArgs, encodeResult } from '../protocol/commands.js';
import { type CommandName, ConfigKey, ErrorCode } from '../protocol/constants.js';
import { type CommandReply, type EmulatorIdentity, ProtocolEmulator } from './protocol-emulator.js';
import { Random } from './random.js';

/** A scripted change on one plate: positive grams is a put, negative a pick. */
export interface PlateEvent {
  atMs: number;
  channel: number;
  grams: number;
}

export interface ShelfOptions {
  channels?: number;
  hz?: number;
  samplesPerBatch?: number;
  seed?: number;
  /** Scripted picks/puts, relative to boot. */
  script?: PlateEvent[];
  /** Random picks/puts: mean seconds between events (0 = none). */
  randomEventEveryS?: number;
  /** Probability of a single wild sample (HX711-class spike) per sample. */
  spikeProbability?: number;
  /** Drift in grams per hour (temperature/creep), per channel sign varies. */
  driftGramsPerHour?: number;
}

interface Plate {
  offset: number;
  /** The load cell's true sensitivity. */
  countsPerGram: number;
  /** What the firmware believes (factory calibration, off by up to ±2 % until calibrated). */
  reportedCountsPerGram: number;
  grams: number;
  noiseG: number;
  driftSign: number;
  /** Ongoing hand interaction: from, to, start, duration. */
  change: { from: number; to: number; start: number; ms: number } | null;
}

/**
 * A 12-plate shelf controller (HX711-class ADCs at 60 Hz, batches of 12 samples = 200 ms, as in the
 * CMU/AiFi rig): per-plate noise levels, slow drift, rare spikes, and picks/puts with a hand-contact phase.
 */
export class ShelfEmulator extends ProtocolEmulator {
  private readonly rand: Random;
  private readonly plates: Plate[];
  private readonly pending: PlateEvent[];

  constructor(
    identity: EmulatorIdentity,
    private readonly opts: ShelfOptions = {},
    clock?: Clock,
  ) {
    super('shelf', opts.channels ?? 12, identity, clock);
    this.rand = new Random(opts.seed ?? 7);
    this.config.set(ConfigKey.sampleRateHz, opts.hz ?? 60);
    this.config.set(ConfigKey.samplesPerBatch, opts.samplesPerBatch ?? 12);
    this.plates = Array.from({ length: this.channels }, () => ({
      offset: Math.round(this.rand.between(-20_000, 20_000)),
      countsPerGram: 0,
      reportedCountsPerGram: 0,
      grams: Math.round(this.rand.between(200, 4000)),
      noiseG: this.rand.between(0.3, 3),
      driftSign: this.rand.next() < 0.5 ? -1 : 1,
      change: null,
    }));
    for (const p of this.plates) {
      p.countsPerGram = this.rand.between(400, 440);
      p.reportedCountsPerGram = p.countsPerGram * this.rand.between(0.98, 1.02);
    }
    this.pending = [...(opts.script ?? [])].sort((a, b) => a.atMs - b.atMs);
  }

  /** Trigger a pick (negative) or put (positive) now. */
  interact(channel: number, grams: number, ms = 700): void {
    const p = this.plates[channel];
    if (!p) throw new RangeError(`no plate ${channel}`);
    p.change = { from: p.grams, to: p.grams + grams, start: this.clock.now(), ms };
  }

  /** True net weight on a plate (above the tare point, without noise), for tests. */
  plateGrams(channel: number): number {
    return this.plates[channel]!.change?.to ?? this.plates[channel]!.grams;
  }

  protected override onBoot(): void {
    const hz = this.config.get(ConfigKey.sampleRateHz)!;
    const perBatch = this.config.get(ConfigKey.samplesPerBatch)!;
    this.every(Math.round((perBatch * 1000) / hz), () => this.emitBatch(hz, perBatch));
  }

  private emitBatch(hz: number, perBatch: number): void {
    const now = this.clock.now();
    const uptime = this.uptimeMs;
    while (this.pending[0] && this.pending[0].atMs <= uptime) {
      const e = this.pending.shift()!;
      this.interact(e.channel, e.grams);
    }
    const every = this.opts.randomEventEveryS ?? 0;
    if (every > 0 && this.rand.next() < perBatch / hz / every) {
      const ch = Math.floor(this.rand.next() * this.channels);
      const unit = [125, 330, 500, 750][Math.floor(this.rand.next() * 4)]!;
      this.interact(ch, this.plates[ch]!.grams > 1000 && this.rand.next() < 0.6 ? -unit : unit);
    }
    const values = new Int32Array(this.channels * perBatch);
    const hours = uptime / 3_600_000;
    const drift = (this.opts.driftGramsPerHour ?? 2) * hours;
    const spikeP = this.opts.spikeProbability ?? 0.0005;
    for (let s = 0; s < perBatch; s++) {
      const t = now - ((perBatch - 1 - s) * 1000) / hz;
      for (let c = 0; c < this.channels; c++) {
        const p = this.plates[c]!;
        let g = p.grams;
        if (p.change) {
          const k = (t - p.change.start) / p.change.ms;
          if (k >= 1) {
            p.grams = p.change.to;
            p.change = null;
            g = p.grams;
          } else if (k > 0) {
            // hand on the plate: overshoot and wobble before settling at the new weight
            g = p.change.from + (p.change.to - p.change.from) * k + Math.sin(k * 12) * 150 * (1 - k);
          }
        }
        g += p.driftSign * drift + p.noiseG * this.rand.gauss();
        if (this.rand.next() < spikeP) g += this.rand.between(-8000, 8000);
        values[s * this.channels + c] = Math.round(p.offset + g * p.countsPerGram);
      }
    }
    this.send({
      type: 'shelfBatch',
      uptimeMs: Math.max(0, uptime - Math.round(((perBatch - 1) * 1000) / hz)),
      hz,
      channels: this.channels,
      samples: perBatch,
      encoding: 'rawCounts',
      calibration: this.plates.map((p) => ({ offset: p.offset, countsPerGram: p.reportedCountsPerGram })),
      values,
    });
  }

  protected override handleCommand(name: CommandName, args: unknown): CommandReply {
    switch (name) {
      case 'tare': {
        const ch = (args as CommandArgs['tare']).channel;
        const targets = ch === 'all' ? this.plates : [this.plates[ch]];
        if (targets.some((p) => !p)) return { error: ErrorCode.badArgument };
        if (targets.some((p) => p!.change)) return { error: ErrorCode.notStable };
        for (const p of targets) {
          p!.offset += Math.round(p!.grams * p!.countsPerGram);
          p!.grams = 0;
        }
        return { error: ErrorCode.ok };
      }
      case 'calibrate': {
        const a = args as CommandArgs['calibrate'];
        const p = this.plates[a.channel];
        if (!p || a.knownMilligrams <= 0) return { error: ErrorCode.badArgument };
        if (p.change) return { error: ErrorCode.notStable };
        // the firmware only sees counts: sensitivity = net counts now on the plate / the weight it was told
        p.reportedCountsPerGram = (p.grams * p.countsPerGram) / (a.knownMilligrams / 1000);
        return {
          error: ErrorCode.ok,
          data: encodeResult('calibrate', { countsPerGram: p.reportedCountsPerGram }),
        };
      }
      case 'setSampleRate': {
        const hz = (args as CommandArgs['setSampleRate']).hz;
        if (![10, 60, 80].includes(hz)) return { error: ErrorCode.badArgument };
        this.config.set(ConfigKey.sampleRateHz, hz);
        this.reboot(0);
        return { error: ErrorCode.ok };
      }
      default:
        return { error: ErrorCode.unsupported };
    }
  }
}
