import { parseDeviceMessage } from '../../gateway/src/connectors/mqtt-devices/parse-device-message.js';
import type { DeviceKind } from '../../shared/src/device-contract.js';
import type { TopicSpec } from '../../shared/src/devices/define.js';
import { deviceKinds, kindTopicMaps } from '../../shared/src/devices/tables.js';

export const T = 1_790_000_000_000;

/** Every (kind, suffix, topic) a device may publish, `status` once per kind. */
export const everyTopic: { kind: DeviceKind; suffix: string; topic: TopicSpec }[] = deviceKinds.flatMap(
  (kind) => [...kindTopicMaps[kind]].map(([suffix, topic]) => ({ kind, suffix, topic })),
);

/** The broker's parse of one payload, as a device `d1` of `kind` received at T. */
export function parseAs(kind: DeviceKind, suffix: string, payload: unknown) {
  return parseDeviceMessage(
    { deviceId: 'd1', kind, suffix, receivedAt: T },
    Buffer.from(JSON.stringify(payload)),
  );
}

/** The example of a topic stamped with a device time (examples may omit `t`). */
export function timedExample(topic: TopicSpec): Record<string, unknown> {
  return { ...(topic.example as Record<string, unknown>), t: T - 10 };
}

/** The body of a reading: everything but the meta fields. */
export function bodyOf(reading: object): Record<string, unknown> {
  const {
    deviceId: _a,
    deviceTime: _b,
    receivedAt: _c,
    quality: _d,
    source: _e,
    ...body
  } = reading as Record<string, unknown>;
  return body;
}
