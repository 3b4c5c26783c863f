import type { Clock, TimerHandle } from '../../../../shared/src/clock.js';
import { deviceCommandResponse, topics } from '../../../../shared/src/device-contract.js';
import { StoregateError } from '../../core/errors.js';

type Publish = (topic: string, payload: string, options: { qos: 0 | 1 }) => Promise<void>;

interface Pending {
  deviceId: string;
  resolve(data: unknown): void;
  reject(err: Error): void;
  timer: TimerHandle;
}

/**
 * Commands to MQTT devices: `{id, name, args}` on `devices/{id}/cmd`, answered by `{id, status, data|error}` on
 * `devices/{id}/cmd-response`. One matcher with a timeout per request, all cancelled on stop — like the serial
 * waitress, so a device that never answers cannot leak timers or hang a caller.
 */
export class MqttDeviceCommands {
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;

  constructor(
    private readonly publish: Publish,
    private readonly clock: Clock,
  ) {}

  command(
    deviceId: string,
    name: string,
    args: Record<string, unknown>,
    timeoutMs = 5_000,
  ): Promise<unknown> {
    const id = `gw-${this.clock.now().toString(36)}-${this.nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.pending.delete(id);
        reject(new StoregateError('SG_IO', `${deviceId} did not answer ${name} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { deviceId, resolve, reject, timer });
      this.publish(topics.command(deviceId), JSON.stringify({ id, name, args }), { qos: 1 }).catch((err) => {
        this.settle(id)?.reject(
          new StoregateError('SG_IO', `cannot send ${name} to ${deviceId}`, { cause: err }),
        );
      });
    });
  }

  /**
   * A `cmd-response` published by a device. Returns a rejection reason for malformed responses (counted like
   * any rejected payload); a well-formed response to nothing pending (late, or duplicate) is ignored.
   */
  onResponse(deviceId: string, payload: Buffer): string | null {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload.toString('utf8'));
    } catch {
      return 'not_json';
    }
    const response = deviceCommandResponse.safeParse(parsed);
    if (!response.success) return 'schema';
    const pending = this.pending.get(response.data.id);
    if (!pending || pending.deviceId !== deviceId) return null;
    const { status, data, error } = response.data;
    const settled = this.settle(response.data.id)!;
    if (status === 'ok') settled.resolve(data ?? null);
    else
      settled.reject(
        new StoregateError('SG_IO', `${deviceId}: ${error?.code ?? 'error'}: ${error?.message ?? ''}`),
      );
    return null;
  }

  cancelAll(reason = 'gateway stopping'): void {
    for (const id of [...this.pending.keys()])
      this.settle(id)?.reject(new StoregateError('SG_NOT_READY', reason));
  }

  private settle(id: string): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    this.clock.clearTimeout(p.timer);
    return p;
  }
}
