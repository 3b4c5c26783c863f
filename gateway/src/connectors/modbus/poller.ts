import type { Clock, TimerHandle } from '../../../../shared/src/clock.js';
import type { ColdSampleBody, EnergyMeterBody } from '../../../../shared/src/devices/cold.js';
import type { ReadBlock } from '../../core/devices/modbus/codec.js';
import type { ModbusModel } from '../../core/devices/modbus/model.js';
import { readPlan, sampleFromRead } from '../../core/devices/modbus/sample.js';
import { type ModbusBus, ModbusRequestError } from './bus.js';
import type { ModbusClient } from './client.js';
import { type ModbusFailure, slaveAnswered } from './errors.js';

export interface PolledDevice {
  id: string;
  slave: number;
  model: ModbusModel;
  intervalMs: number;
  unit: string | undefined;
}

export interface PollerEvents {
  sample(body: ColdSampleBody | EnergyMeterBody): void;
  /** Every failed attempt, for per-device/reason counters (a retried CRC error counts once per attempt). */
  failure(failure: ModbusFailure, detail: string): void;
  online(online: boolean, reason: string): void;
}

export interface PollerOptions {
  offlineAfterFailures: number;
  backoffMaxMs: number;
  /** Delay of the first poll, to spread the devices of one bus over their interval. */
  firstDelayMs: number;
}

function readBlock(client: ModbusClient, block: ReadBlock): Promise<number[]> {
  const { start, count } = block;
  if (block.fn === 1) return client.readCoils(start, count).then((r) => r.data.slice(0, count).map(Number));
  if (block.fn === 2)
    return client.readDiscreteInputs(start, count).then((r) => r.data.slice(0, count).map(Number));
  if (block.fn === 3) return client.readHoldingRegisters(start, count).then((r) => r.data);
  return client.readInputRegisters(start, count).then((r) => r.data);
}

/**
 * Polls one slave at its interval through its bus. A poll reads the model's blocks and becomes one sample;
 * after `offlineAfterFailures` polls without an answer the device is offline and is polled with doubling
 * intervals (up to `backoffMaxMs`) so a dead slave does not take the bus time of the live ones.
 */
export class DevicePoller {
  online: boolean | null = null;
  polls = 0;
  private readonly blocks: ReadBlock[];
  private timer: TimerHandle | null = null;
  private silentPolls = 0;
  private running = false;

  constructor(
    readonly device: PolledDevice,
    readonly bus: ModbusBus,
    private readonly clock: Clock,
    private readonly opts: PollerOptions,
    private readonly events: PollerEvents,
  ) {
    this.blocks = readPlan(device.model);
  }

  start(): void {
    this.running = true;
    this.schedule(this.opts.firstDelayMs);
  }

  stop(): void {
    this.running = false;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      const started = this.clock.monotonic();
      void this.poll().then(() => {
        const interval = this.nextIntervalMs();
        this.schedule(Math.max(0, started + interval - this.clock.monotonic()));
      });
    }, delayMs);
  }

  private nextIntervalMs(): number {
    const over = this.silentPolls - this.opts.offlineAfterFailures;
    if (over < 0) return this.device.intervalMs;
    return Math.max(
      this.device.intervalMs,
      Math.min(this.opts.backoffMaxMs, this.device.intervalMs * 2 ** Math.min(over + 1, 20)),
    );
  }

  /** One poll: every block, in order; the first failure ends it (the rest would likely fail alike). */
  async poll(): Promise<void> {
    this.polls++;
    const values: number[][] = [];
    let answered = false;
    try {
      for (const block of this.blocks) {
        values.push(
          await this.bus.request(this.device.slave, (c) => readBlock(c, block), {
            onAttemptFailed: (failure, err) => {
              if (slaveAnswered(failure)) answered = true;
              // a link that is down is reported once per bus ('link'), not per device and poll
              if (failure === 'not_connected') return;
              this.events.failure(
                failure,
                `fn ${block.fn} ${block.start}+${block.count}: ${(err as Error | null)?.message ?? failure}`,
              );
            },
          }),
        );
        answered = true;
      }
    } catch (err) {
      const failure = err instanceof ModbusRequestError ? err.failure : 'other';
      if (answered) this.markOnline(true, 'answered');
      else {
        this.silentPolls++;
        if (this.silentPolls >= this.opts.offlineAfterFailures) this.markOnline(false, failure);
      }
      return;
    }
    this.silentPolls = 0;
    this.markOnline(true, 'answered');
    this.events.sample(sampleFromRead(this.device.model, this.device.unit, this.blocks, values));
  }

  private markOnline(online: boolean, reason: string): void {
    if (online) this.silentPolls = 0;
    if (this.online === online) return;
    this.online = online;
    this.events.online(online, reason);
  }
}
