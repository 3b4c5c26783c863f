import { coldchainReplayDomain } from './inputs/coldchain.js';
import { doorReplayDomain } from './inputs/door.js';
import { laneReplayDomain } from './inputs/lane.js';
import { shelfReplayDomain } from './inputs/shelf.js';
import type { ReplayDomain } from './replay-domain.js';

/** Every domain `storegate replay` understands, in the order lines are offered to them. */
export function replayDomains(): ReplayDomain[] {
  return [shelfReplayDomain(), laneReplayDomain(), doorReplayDomain(), coldchainReplayDomain()];
}
