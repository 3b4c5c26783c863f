import type { LoadedConfig } from '../../config/load.js';
import type { CalibrationRecord } from '../../core/calibration.js';
import { StoregateError } from '../../core/errors.js';
import type { StoredWeight } from '../../core/facings.js';
import type { PlateSpec } from '../../core/planogram.js';
import { ShelfProcessor } from '../../processors/shelf/shelf-processor.js';
import type { BrokerFeature } from '../broker/feature.js';
import type { GatewayContext } from '../context.js';
import type { SerialConnectorFeature } from '../serial/feature.js';
import {
  mqttShelfCommands,
  routedShelfCommands,
  type ShelfDeviceCommands,
  serialShelfCommands,
} from './device-commands.js';

/** Shelf tare/calibrate reach serial controllers over the serial protocol, other shelves over MQTT commands. */
export function shelfDeviceCommands(
  ctx: GatewayContext,
  serial: SerialConnectorFeature,
  broker: BrokerFeature,
): ShelfDeviceCommands {
  return routedShelfCommands(
    (device) => serial.devices.supervisors.has(device),
    serialShelfCommands(serial.devices),
    mqttShelfCommands((device, name, args, timeoutMs) => {
      if (!ctx.registry.get(device)) {
        throw new StoregateError('SG_DEVICE_UNKNOWN', `no shelf device ${device} (serial or MQTT)`);
      }
      if (!ctx.deviceStats.get(device)?.connected) {
        throw new StoregateError('SG_NOT_READY', `${device} is not connected to the broker`);
      }
      return broker.commands.command(device, name, args, timeoutMs);
    }),
  );
}

export interface ShelfProcessorInputs {
  plates: readonly PlateSpec[];
  calibrations?: readonly CalibrationRecord[];
  /** Unit weights the facings learned before (shelves.db); stale ones are ignored by the processor. */
  learnedWeights?: readonly StoredWeight[];
  onUnknownPlate?(device: string, channel: number): void;
}

/**
 * The shelf processor as `shelves:` configures it. The live feature and `storegate replay` both build it here,
 * so a replay runs the tuning the gateway runs.
 */
export function shelfProcessor(config: LoadedConfig, inputs: ShelfProcessorInputs): ShelfProcessor {
  const c = config.shelves;
  return new ShelfProcessor({
    plates: inputs.plates,
    calibrations: inputs.calibrations ?? [],
    learnedWeights: inputs.learnedWeights ?? [],
    defaultHz: c.sample_hz,
    defaultNoiseGrams: c.default_noise_grams,
    misplacedMemoryMs: c.misplaced_memory_ms,
    tuning: {
      settleMs: c.detection.settle_ms,
      holdMs: c.detection.hold_ms,
      triggerSigma: c.detection.trigger_sigma,
      minTriggerGrams: c.detection.min_trigger_grams,
      maxDriftGramsPerMin: c.detection.max_drift_grams_per_min,
    },
    health: {
      silentMs: c.health.silent_ms,
      stuckMs: c.health.stuck_ms,
      saturationGrams: c.health.saturation_grams,
      noisyFactor: c.health.noisy_factor,
      noisyGrams: c.health.noisy_grams,
    },
    ...(inputs.onUnknownPlate ? { onUnknownPlate: inputs.onUnknownPlate } : {}),
  });
}
