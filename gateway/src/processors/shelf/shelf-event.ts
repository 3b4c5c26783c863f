import type { StoreEvent } from '../../core/events.js';
import type { PlateSpec } from '../../core/planogram.js';

/**
 * Every shelf event is must-deliver (a pick, a misplaced item, a stock alert or a sensor fault is business
 * data, not telemetry) and ordered per device on stream `shelf/{device}`. `data` is the snake_case wire form.
 */
export function shelfEvent(
  type: string,
  t: number,
  plate: PlateSpec,
  data: Record<string, unknown>,
): StoreEvent {
  return {
    type,
    t: Math.round(t),
    stream: `shelf/${plate.device}`,
    dataClass: 'must_deliver',
    data: {
      device: plate.device,
      channel: plate.channel,
      ...(plate.fixture ? { fixture: plate.fixture } : {}),
      ...(plate.shelf ? { shelf: plate.shelf } : {}),
      ...data,
    },
  };
}
