import type { MaintenanceOptions } from './lane-options.js';

export interface MaintenanceFinding {
  reason: 'scale_drift' | 'scale_noise';
  biasPct: number;
  rmsPct: number;
  sessions: number;
}

/**
 * Detects a drifting or faulty bagging scale from error accumulated over many sessions (patent practice): each
 * closed session contributes the mean and mean-square relative error of its scale-verified items. A gain drift
 * shows as a persistent bias long before single items fall outside tolerance; a failing load cell as noise.
 * Raises once, and re-arms when the lane is back within half the thresholds.
 */
export class ScaleHealth {
  private readonly sessions: Array<{ bias: number; meanSquare: number }> = [];
  private flagged = false;

  constructor(private readonly config: MaintenanceOptions) {}

  get needsMaintenance(): boolean {
    return this.flagged;
  }

  /** Relative errors ((measured − expected) / expected) of one session's verified items. */
  closeSession(relativeErrors: readonly number[]): MaintenanceFinding | null {
    if (relativeErrors.length === 0) return null;
    const bias = relativeErrors.reduce((a, b) => a + b, 0) / relativeErrors.length;
    const meanSquare = relativeErrors.reduce((a, b) => a + b * b, 0) / relativeErrors.length;
    this.sessions.push({ bias, meanSquare });
    if (this.sessions.length > this.config.window_sessions) this.sessions.shift();
    if (this.sessions.length < this.config.min_sessions) return null;
    const n = this.sessions.length;
    const biasPct = (100 * this.sessions.reduce((a, s) => a + s.bias, 0)) / n;
    const rmsPct = 100 * Math.sqrt(this.sessions.reduce((a, s) => a + s.meanSquare, 0) / n);
    const drift = Math.abs(biasPct) > this.config.bias_pct;
    const noisy = rmsPct > this.config.noise_pct;
    if (!this.flagged && (drift || noisy)) {
      this.flagged = true;
      return { reason: drift ? 'scale_drift' : 'scale_noise', biasPct, rmsPct, sessions: n };
    }
    if (this.flagged && Math.abs(biasPct) < this.config.bias_pct / 2 && rmsPct < this.config.noise_pct / 2) {
      this.flagged = false;
    }
    return null;
  }
}
