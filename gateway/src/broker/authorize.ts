import { topics } from '../../../shared/src/device-contract.js';
import type { DeviceLocation } from '../ports/device-registry.js';

/**
 * Topic ACL as pure functions. A device may publish only under `devices/{its id}/…` and subscribe only to its
 * own command topic (plus its lane's state topic when it is placed at a lane). Anonymous sessions (only when
 * `broker.allow_anonymous`) may not publish and may only read lane states.
 */
export interface SessionIdentity {
  /** null for an anonymous session. */
  deviceId: string | null;
  location: DeviceLocation;
}

export type AclDecision = { allowed: true; suffix: string } | { allowed: false; reason: AclDenial };
export type AclDenial = 'not_own_topic' | 'anonymous' | 'reserved_topic' | 'wildcard';

const PREFIX = `${topics.prefix}/`;

/** On success returns the topic suffix after `devices/{id}/` (validated against the device kind later). */
export function authorizeDevicePublish(session: SessionIdentity, topic: string): AclDecision {
  if (topic.startsWith('$')) return { allowed: false, reason: 'reserved_topic' };
  if (topic.includes('#') || topic.includes('+')) return { allowed: false, reason: 'wildcard' };
  if (session.deviceId === null) return { allowed: false, reason: 'anonymous' };
  const own = `${PREFIX}${session.deviceId}/`;
  if (!topic.startsWith(own) || topic.length === own.length)
    return { allowed: false, reason: 'not_own_topic' };
  const suffix = topic.slice(own.length);
  // commands flow gateway → device only; a device answering uses cmd-response
  if (suffix === 'cmd') return { allowed: false, reason: 'not_own_topic' };
  return { allowed: true, suffix };
}

export function authorizeDeviceSubscribe(session: SessionIdentity, filter: string): boolean {
  if (filter.startsWith('$') || filter.includes('#') || filter.includes('+')) return false;
  if (session.location.lane !== undefined && filter === topics.laneState(session.location.lane)) return true;
  if (session.deviceId === null) return /^lanes\/[A-Za-z0-9_.:-]{1,64}\/state$/.test(filter);
  return filter === topics.command(session.deviceId);
}
