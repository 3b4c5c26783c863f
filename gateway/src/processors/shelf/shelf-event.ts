import type { StoreEventMap, StoreEventOf } from '../../core/events.js';
import type { PlateSpec } from '../../core/planogram.js';

export type ShelfEventType = Extract<keyof StoreEventMap, `shelf.${string}`>;
/** What a shelf event adds to the plate fields every one of them carries. */
export type ShelfEventBody<K extends ShelfEventType> = Omit<
  StoreEventMap[K],
  'device' | 'channel' | 'fixture' | 'shelf'
>;
/** A pick or put: the processors set `stock` on it once the plate's count is updated. */
export type ShelfMovementEvent = StoreEventOf<'shelf.pick' | 'shelf.put' | 'shelf.change'>;

/**
 * Every shelf event is must-deliver (a pick, a misplaced item, a stock alert or a sensor fault is business
 * data, not telemetry) and ordered per device on stream `shelf/{device}`. `data` is the snake_case wire form.
 */
export function shelfEvent<K extends ShelfEventType>(
  type: K,
  t: number,
  plate: PlateSpec,
  data: ShelfEventBody<K>,
): StoreEventOf<K> {
  const event = {
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
  return event as StoreEventOf<K>;
}
