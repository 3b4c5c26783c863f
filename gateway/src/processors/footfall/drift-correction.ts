export interface MinuteFlow {
  in: number;
  out: number;
}

export interface DriftCorrection {
  /** Factor applied to the rescaled side, or null when it could not be applied. */
  scale: number | null;
  /** Occupancy per minute after rescaling, clamped at 0 and rounded to whole people. */
  corrected: number[];
}

/**
 * End-of-day drift correction (Irisys/Density practice): instead of a step at the nightly reset, rescale the
 * slope of exits (or entries) across the whole day so that the day ends at occupancy 0. With exits rescaled by
 * k = ΣIN/ΣOUT, occupancy(t) = cumIN(t) − k·cumOUT(t). If the side to rescale counted nothing there is no
 * slope to rescale: the uncorrected (clamped) curve is returned with scale null.
 */
export function correctDrift(
  minutes: readonly MinuteFlow[],
  mode: 'exits' | 'entries' | 'off',
): DriftCorrection {
  let totalIn = 0;
  let totalOut = 0;
  for (const m of minutes) {
    totalIn += m.in;
    totalOut += m.out;
  }
  let kIn = 1;
  let kOut = 1;
  let scale: number | null = null;
  if (mode === 'exits' && totalOut > 0) {
    kOut = totalIn / totalOut;
    scale = kOut;
  } else if (mode === 'entries' && totalIn > 0) {
    kIn = totalOut / totalIn;
    scale = kIn;
  }
  const corrected: number[] = [];
  let cumIn = 0;
  let cumOut = 0;
  let clamped = 0;
  for (const m of minutes) {
    cumIn += m.in;
    cumOut += m.out;
    if (scale === null) {
      // No correction: replay the live rule (clamp at each step).
      clamped = Math.max(0, clamped + m.in - m.out);
      corrected.push(clamped);
    } else {
      corrected.push(Math.max(0, Math.round(cumIn * kIn - cumOut * kOut)));
    }
  }
  return { scale: scale === null ? null : Math.round(scale * 1e6) / 1e6, corrected };
}
