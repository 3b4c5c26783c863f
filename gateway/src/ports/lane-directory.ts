/** Which lane a device belongs to (config `checkout.lanes`, registry location.lane, or replay's lane field). */
export interface LaneDirectory {
  laneOf(deviceId: string): string | undefined;
  /** The lanes that exist: only configured (or registry-placed) lanes, never one a payload names. */
  lanes(): readonly string[];
}
