import { type Reading, type ReadingType, readingTime } from '../../../../shared/src/readings.js';
import type { StoreEvent } from '../../core/events.js';
import type { Processor } from '../../ports/pipeline.js';
import { type AggregatorOptions, FootfallAggregator, type OccupancySnapshot } from './aggregator.js';
import { BeamDebouncer } from './beam-debouncer.js';
import { BeamDecoder, type BeamOutcome } from './beam-decoder.js';
import { CounterTracker } from './counter-delta.js';

export interface FootfallProcessorOptions extends AggregatorOptions {
  debounceMs: number;
  blockedAlarmMs: number;
  /** pos.event names that count as one checkout transaction each (deduplicated by transaction id). */
  transactionEvents: readonly string[];
  /** Which counters count entries/exits (`footfall.entries_from`); absent = all. */
  entriesFrom?: 'all' | 'doors' | 'cameras';
}

interface BeamDoor {
  debouncer: BeamDebouncer;
  decoder: BeamDecoder;
}

/** How far ahead of its receipt a reading's own timestamp is believed. */
const MAX_AHEAD_MS = 5_000;

const HANDLES: readonly ReadingType[] = [
  'door.beam',
  'door.count',
  'camera.line',
  'camera.zone',
  'pos.event',
];

/**
 * Footfall from every kind of door counter: dual-beam edges (GPIO or MQTT), cumulative door counters and camera
 * line crossings (deltas, rollover, resets), camera zone counts, and POS transactions for conversion.
 * Emits `door.entry` / `door.exit` per counted crossing, `door.blocked` / `door.unblocked` alarms,
 * `door.counter_reset`, and the aggregator's `footfall.minute` / `footfall.day`.
 */
export class FootfallProcessor implements Processor {
  readonly name = 'footfall';
  readonly handles = HANDLES;
  private readonly beams = new Map<string, BeamDoor>();
  private readonly counters = new CounterTracker();
  readonly aggregator: FootfallAggregator;

  constructor(private readonly opts: FootfallProcessorOptions) {
    this.aggregator = new FootfallAggregator(opts);
  }

  process(reading: Reading): StoreEvent[] {
    if (reading.quality === 'bad') return [];
    // A device clock running ahead must not close minutes that have not happened yet at the gateway.
    const t = Math.min(readingTime(reading), reading.receivedAt + MAX_AHEAD_MS);
    const out = this.releaseBeams(t);
    if (!this.counts(reading.type)) return out;
    // Transactions alone do not start footfall minutes: a store without door counters gets no empty records.
    if (reading.type === 'pos.event' && !this.aggregator.started()) return out;
    out.push(...this.aggregator.touch(t));
    switch (reading.type) {
      case 'door.beam': {
        const door = this.beamDoor(reading.deviceId);
        for (const edge of door.debouncer.push({ beam: reading.beam, blocked: reading.blocked, t })) {
          out.push(...this.outcomes(reading.deviceId, door.decoder.apply(edge)));
        }
        break;
      }
      case 'door.count':
        out.push(...this.cumulative(t, reading.deviceId, reading.deviceId, reading.in, reading.out));
        break;
      case 'camera.line':
        out.push(
          ...this.cumulative(
            t,
            reading.deviceId,
            `${reading.deviceId}:${reading.line}`,
            reading.in,
            reading.out,
          ),
        );
        break;
      case 'camera.zone':
        out.push(...this.aggregator.zone(t, reading.zone, reading.count));
        break;
      case 'pos.event':
        if (this.opts.transactionEvents.includes(reading.event)) {
          out.push(...this.aggregator.transactions(t, 1, reading.transactionId));
        }
        break;
      default:
        break;
    }
    return out;
  }

  private counts(type: ReadingType): boolean {
    const from = this.opts.entriesFrom ?? 'all';
    if (type === 'camera.line') return from !== 'doors';
    if (type === 'door.beam' || type === 'door.count') return from !== 'cameras';
    return true;
  }

  tick(now: number): StoreEvent[] {
    const out = this.releaseBeams(now);
    // Minutes close a debounce window late so an edge still in the debouncer lands in its own minute.
    out.push(...this.aggregator.advance(now - this.opts.debounceMs));
    return out;
  }

  /**
   * End of input: edges still in the debouncer are final (no bounce can follow), and the minute the last input
   * fell in closes with what it holds. No later minute is invented.
   */
  end(now: number): StoreEvent[] {
    const out = this.releaseBeams(Number.POSITIVE_INFINITY, false);
    if (this.aggregator.started())
      out.push(...this.aggregator.advance(Math.floor(now / 60_000) * 60_000 + 60_000));
    return out;
  }

  /** Transactions known outside readings (checkout lane sessions). */
  recordTransactions(t: number, count: number, transactionId?: string): StoreEvent[] {
    if (!this.aggregator.started()) return [];
    return this.aggregator.transactions(t, count, transactionId);
  }

  snapshot(now: number): OccupancySnapshot {
    return this.aggregator.snapshot(now);
  }

  /** Beams currently held blocked past the alarm time, as `device/beam`. */
  blockedBeams(): string[] {
    const out: string[] = [];
    for (const [device, door] of this.beams) {
      for (const beam of ['a', 'b'] as const) if (door.decoder.isAlarmed(beam)) out.push(`${device}/${beam}`);
    }
    return out;
  }

  /** Last raw counter values, persisted by the feature so a restart does not lose the first interval. */
  counterSnapshot(): Record<string, number> {
    return this.counters.snapshot();
  }

  restoreCounters(values: Record<string, number>): void {
    this.counters.restore(values);
  }

  private beamDoor(device: string): BeamDoor {
    let door = this.beams.get(device);
    if (!door) {
      door = {
        debouncer: new BeamDebouncer(this.opts.debounceMs),
        decoder: new BeamDecoder(this.opts.blockedAlarmMs),
      };
      this.beams.set(device, door);
    }
    return door;
  }

  private releaseBeams(now: number, checkBlocked = true): StoreEvent[] {
    const out: StoreEvent[] = [];
    for (const [device, door] of this.beams) {
      for (const edge of door.debouncer.release(now))
        out.push(...this.outcomes(device, door.decoder.apply(edge)));
      if (checkBlocked) out.push(...this.outcomes(device, door.decoder.check(now)));
    }
    return out;
  }

  private outcomes(device: string, outcomes: BeamOutcome[]): StoreEvent[] {
    const out: StoreEvent[] = [];
    for (const o of outcomes) {
      if (o.kind === 'entry' || o.kind === 'exit') {
        out.push(...this.crossing(o.t, device, device, o.kind === 'entry' ? 'in' : 'out', 1, 'beam'));
      } else {
        const head = { t: o.t, stream: `door/${device}`, dataClass: 'must_deliver' as const };
        const at = { device, door: device, beam: o.beam };
        out.push(
          o.kind === 'blocked'
            ? { ...head, type: 'door.blocked', data: { ...at, since: o.since } }
            : { ...head, type: 'door.unblocked', data: { ...at, blocked_ms: o.blockedMs } },
        );
      }
    }
    return out;
  }

  private cumulative(
    t: number,
    device: string,
    door: string,
    inTotal: number,
    outTotal: number,
  ): StoreEvent[] {
    const out: StoreEvent[] = [];
    const din = this.counters.update(`${door}/in`, inTotal);
    const dout = this.counters.update(`${door}/out`, outTotal);
    const kinds = [din.kind, dout.kind];
    if (kinds.includes('reset') || kinds.includes('rollover')) {
      out.push({
        type: 'door.counter_reset',
        t,
        stream: `door/${device}`,
        dataClass: 'telemetry',
        data: {
          device,
          door,
          kind: kinds.includes('reset') ? 'reset' : 'rollover',
          in: inTotal,
          out: outTotal,
        },
      });
    }
    if (din.delta > 0) out.push(...this.crossing(t, device, door, 'in', din.delta, 'counter'));
    if (dout.delta > 0) out.push(...this.crossing(t, device, door, 'out', dout.delta, 'counter'));
    return out;
  }

  private crossing(
    t: number,
    device: string,
    door: string,
    dir: 'in' | 'out',
    n: number,
    source: 'beam' | 'counter',
  ): StoreEvent[] {
    const out = this.aggregator.count(t, door, dir, n);
    out.push({
      type: dir === 'in' ? 'door.entry' : 'door.exit',
      t,
      stream: `door/${device}`,
      dataClass: 'telemetry',
      data: { device, door, count: n, source, occupancy: this.aggregator.currentOccupancy() },
    });
    return out;
  }
}
