import type { SerialDeviceSet } from '../../../../firmware-bridge/src/serial-devices.js';
import { StoregateError } from '../../core/errors.js';

/**
 * Calibration commands executed by the shelf controller itself (its own tare and span factor), as opposed to
 * the gateway-side calibration records. Today these go over the Storegate serial protocol; an MQTT transport
 * can implement the same port once devices can answer on `devices/{id}/cmd-response`.
 */
export interface ShelfDeviceCommands {
  tare(device: string, channel: number): Promise<void>;
  /** Span calibration with a known weight on the plate; returns the device's new counts per gram. */
  calibrate(device: string, channel: number, knownGrams: number): Promise<{ countsPerGram: number }>;
}

const TIMEOUT_MS = 5_000;

function wrap(device: string, what: string, err: unknown): StoregateError {
  const message = (err as Error).message ?? String(err);
  const unknown = /no serial device/.test(message);
  // An unknown or disconnected device keeps its code (404 / 503), whatever the transport said.
  const kept = err instanceof StoregateError && err.code !== 'SG_IO' ? err.code : null;
  return new StoregateError(
    kept ?? (unknown ? 'SG_DEVICE_UNKNOWN' : 'SG_IO'),
    `${what} on ${device} failed: ${message}`,
    {
      ...(message.includes('notStable')
        ? { hint: 'keep hands off the plate until it is still, then retry' }
        : {}),
    },
  );
}

export function serialShelfCommands(devices: Pick<SerialDeviceSet, 'command'>): ShelfDeviceCommands {
  return {
    async tare(device, channel) {
      try {
        await devices.command(device, 'tare', { channel }, TIMEOUT_MS);
      } catch (err) {
        throw wrap(device, 'tare', err);
      }
    },
    async calibrate(device, channel, knownGrams) {
      let result: { countsPerGram: number };
      try {
        const knownMilligrams = Math.round(knownGrams * 1000);
        result = await devices.command(device, 'calibrate', { channel, knownMilligrams }, TIMEOUT_MS);
      } catch (err) {
        throw wrap(device, 'calibrate', err);
      }
      // The controller divides the counts it sees by the weight it was told: no weight on the plate gives ~0.
      if (!(result.countsPerGram > 0) || !Number.isFinite(result.countsPerGram)) {
        throw new StoregateError(
          'SG_BAD_ARGUMENT',
          `${device} channel ${channel} measured no weight (counts per gram ${result.countsPerGram})`,
          {
            hint: `tare the empty plate, put the ${knownGrams} g weight on it, wait until still, calibrate again`,
          },
        );
      }
      return result;
    },
  };
}

type MqttCommand = (
  device: string,
  name: string,
  args: Record<string, unknown>,
  timeoutMs?: number,
) => Promise<unknown>;

/**
 * The same tare/calibrate over the MQTT command topic (docs/device-protocol.md): `tare {channel}` and
 * `calibrate {channel, known_grams}` answered with `{counts_per_gram}`.
 */
export function mqttShelfCommands(command: MqttCommand): ShelfDeviceCommands {
  return {
    async tare(device, channel) {
      try {
        await command(device, 'tare', { channel }, TIMEOUT_MS);
      } catch (err) {
        throw wrap(device, 'tare', err);
      }
    },
    async calibrate(device, channel, knownGrams) {
      let data: unknown;
      try {
        data = await command(device, 'calibrate', { channel, known_grams: knownGrams }, TIMEOUT_MS);
      } catch (err) {
        throw wrap(device, 'calibrate', err);
      }
      const countsPerGram = (data as { counts_per_gram?: unknown } | null)?.counts_per_gram;
      if (typeof countsPerGram !== 'number' || !(countsPerGram > 0)) {
        throw new StoregateError('SG_IO', `${device} answered calibrate without a positive counts_per_gram`);
      }
      return { countsPerGram };
    },
  };
}

/** Serial shelf controllers get serial commands; every other shelf device is addressed over MQTT. */
export function routedShelfCommands(
  isSerial: (device: string) => boolean,
  serial: ShelfDeviceCommands,
  mqtt: ShelfDeviceCommands,
): ShelfDeviceCommands {
  const pick = (device: string) => (isSerial(device) ? serial : mqtt);
  return {
    tare: (device, channel) => pick(device).tare(device, channel),
    calibrate: (device, channel, grams) => pick(device).calibrate(device, channel, grams),
  };
}
