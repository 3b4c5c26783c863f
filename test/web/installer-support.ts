import mqtt, { type MqttClient } from 'mqtt';

/**
 * A load cell on the installer's bench: a real MQTT client with the credentials the installer web handed out,
 * publishing 60 Hz batches of raw samples at whatever level the test puts on the plate (plus a little noise).
 */
export class BenchLoadCell {
  level = 1000;
  private timer: NodeJS.Timeout | null = null;
  private seed = 1;

  private constructor(
    private readonly client: MqttClient,
    private readonly device: string,
    private readonly channels: readonly number[],
  ) {}

  static async connect(
    payload: { broker: string; device_id: string; secret: string },
    channels: readonly number[] = [0],
  ): Promise<BenchLoadCell> {
    const client = await mqtt.connectAsync(payload.broker, {
      clientId: payload.device_id,
      username: payload.device_id,
      password: payload.secret,
      reconnectPeriod: 1000,
    });
    const cell = new BenchLoadCell(client, payload.device_id, channels);
    cell.timer = setInterval(() => cell.publish(), 200);
    return cell;
  }

  private noise(): number {
    // Deterministic small noise (±0.5 counts): the calibration's noise floor must be measurable, not zero.
    this.seed = (this.seed * 16807) % 2147483647;
    return (this.seed / 2147483647 - 0.5) * 1.0;
  }

  private publish(): void {
    for (const channel of this.channels) {
      const grams = Array.from({ length: 12 }, () => Math.round((this.level + this.noise()) * 100) / 100);
      this.client.publish(
        `devices/${this.device}/shelf`,
        JSON.stringify({ t: Date.now() - 200, channel, hz: 60, grams }),
        { qos: 0 },
      );
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.client.endAsync();
  }
}

/** Poll until `probe` returns a value (not undefined), or fail with what was last seen. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
