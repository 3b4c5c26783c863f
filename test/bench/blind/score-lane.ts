/**
 * Scores lane alerts against the independent generator's sessions.
 *
 * An alert belongs to the session of its lane that opened last at or before it (alerts decided on a tick
 * after basket-close still count for that session). An honest session with any alert is a false alarm. A
 * dishonest session is caught when an alert comes at or after its act (0.5 s allowance); an alert before the
 * act is counted as an early alarm, not as a catch. Acts are also split by "physically visible" (the load
 * change exceeds 4 σ of the difference of two readings and two scale divisions, unit spread included).
 */
import type { ActKind, SessionTruth } from './lane-sessions.js';

export interface LaneAlert {
  t: number;
  lane: string;
  reason?: string;
}

export interface LaneScore {
  honest: number;
  falseAlarms: number;
  acts: number;
  missed: number;
  visibleActs: number;
  visibleMissed: number;
  earlyAlarms: number;
  byTag: Map<string, { sessions: number; falseAlarms: number }>;
  byAct: Map<ActKind, { acts: number; missed: number; visible: number; visibleMissed: number }>;
  falseReasons: Map<string, number>;
  /** First alert of a false alarm: its reason and the shopper's last physical action before it. */
  falseCauses: Map<string, number>;
}

export function scoreLanes(sessions: readonly SessionTruth[], alerts: readonly LaneAlert[]): LaneScore {
  const byLane = new Map<string, SessionTruth[]>();
  for (const s of sessions) byLane.set(s.lane, [...(byLane.get(s.lane) ?? []), s]);
  for (const list of byLane.values()) list.sort((a, b) => a.openedAt - b.openedAt);
  const alertsOf = new Map<SessionTruth, LaneAlert[]>();
  for (const a of alerts) {
    const list = byLane.get(a.lane) ?? [];
    let owner: SessionTruth | undefined;
    for (const s of list) if (s.openedAt <= a.t) owner = s;
    if (owner) alertsOf.set(owner, [...(alertsOf.get(owner) ?? []), a]);
  }
  const score: LaneScore = {
    honest: 0,
    falseAlarms: 0,
    acts: 0,
    missed: 0,
    visibleActs: 0,
    visibleMissed: 0,
    earlyAlarms: 0,
    byTag: new Map(),
    byAct: new Map(),
    falseReasons: new Map(),
    falseCauses: new Map(),
  };
  for (const s of sessions) {
    const mine = alertsOf.get(s) ?? [];
    if (!s.act) {
      score.honest++;
      const alarmed = mine.length > 0;
      if (alarmed) {
        score.falseAlarms++;
        const reason = mine[0]?.reason ?? 'unknown';
        score.falseReasons.set(reason, (score.falseReasons.get(reason) ?? 0) + 1);
        const at = mine[0]?.t ?? 0;
        // Scans and POS events are when a lane decides, not what moved the weight: name the last physical action.
        const physical = s.actions.filter(
          (a) => a.t <= at && !/^(scan|multi-scan|payment-start|payment-success|basket-close)$/.test(a.label),
        );
        const last = physical.pop()?.label ?? 'nothing on the scale yet';
        const cause = `${reason} after ${last}`;
        score.falseCauses.set(cause, (score.falseCauses.get(cause) ?? 0) + 1);
      }
      for (const tag of s.tags.length > 0 ? s.tags : ['plain']) {
        const row = score.byTag.get(tag) ?? { sessions: 0, falseAlarms: 0 };
        row.sessions++;
        if (alarmed) row.falseAlarms++;
        score.byTag.set(tag, row);
      }
      continue;
    }
    const act = s.act;
    const caught = mine.some((a) => a.t >= act.t - 500);
    if (mine.some((a) => a.t < act.t - 500)) score.earlyAlarms++;
    score.acts++;
    if (!caught) score.missed++;
    if (act.visible) {
      score.visibleActs++;
      if (!caught) score.visibleMissed++;
    }
    const row = score.byAct.get(act.kind) ?? { acts: 0, missed: 0, visible: 0, visibleMissed: 0 };
    row.acts++;
    if (!caught) row.missed++;
    if (act.visible) {
      row.visible++;
      if (!caught) row.visibleMissed++;
    }
    score.byAct.set(act.kind, row);
  }
  return score;
}
