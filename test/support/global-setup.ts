import { ensurePeer, type PeerName } from './peers.js';

/**
 * Install every peer once, before any test file starts, so parallel test files never race for the dpkg lock.
 */
export default function setup(): void {
  const needed: PeerName[] = ['mosquitto', 'influxd', 'socat', 'chromium', 'openssl'];
  for (const peer of needed) ensurePeer(peer);
}
