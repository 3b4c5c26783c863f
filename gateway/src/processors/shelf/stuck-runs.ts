/**
 * How long a healthy channel repeats one value, learned from its own completed runs. A run that ended in a
 * change is evidence the channel was alive; the run in progress never teaches, so a channel that really froze
 * cannot teach itself that freezing is normal. With p the share of consecutive samples that repeat, a run of n
 * samples has probability pⁿ; a run is implausible once pⁿ < 10⁻⁶.
 *
 * That only holds while noise spans several divisions (a raw ADC jitters in its last bits). When almost every
 * noise-sized change is a single division, the noise is smaller than a division: whether the value repeats then
 * depends on where the level sits between two divisions (near a boundary it flips every few samples, a gram
 * away it never does), so no run length proves the channel froze — it is not judged.
 */
export class StuckRuns {
  private static readonly UNLIKELY = Math.log(1e-6);
  /** Runs a channel must have ended before its own statistics are trusted. */
  private static readonly MIN_RUNS = 20;
  /** Before that: a channel that has not changed for a minute of 60 Hz samples since start. */
  private static readonly UNLEARNED_RUN_SAMPLES = 3_600;
  /** Changes up to this many divisions are noise; larger ones are loads, which end runs but say nothing of noise. */
  private static readonly NOISE_STEP_DIVISIONS = 4;
  /** Share of single-division noise changes from which noise is taken to be smaller than a division. */
  private static readonly SUB_DIVISION_SHARE = 0.8;
  private static readonly MIN_NOISE_STEPS = 10;
  /** Decayed counts, so a plate that became quieter or noisier is followed within ~500 runs. */
  private static readonly DECAY = 0.998;
  private repeats = 0;
  private pairs = 0;
  private completed = 0;
  private current = 0;
  private division = Number.POSITIVE_INFINITY;
  private noiseSteps = 0;
  private singleSteps = 0;

  repeated(): void {
    this.current++;
  }

  /** The run ended with a change of `step` (absolute, in the channel's units). */
  ended(step: number): void {
    const d = StuckRuns.DECAY;
    this.repeats = this.repeats * d + this.current;
    this.pairs = this.pairs * d + this.current + 1;
    this.completed++;
    this.current = 0;
    if (step > 0 && step < this.division) this.division = step;
    if (step <= this.division * StuckRuns.NOISE_STEP_DIVISIONS) {
      this.noiseSteps = this.noiseSteps * d + 1;
      this.singleSteps = this.singleSteps * d + (step <= this.division * 1.5 ? 1 : 0);
    }
  }

  /** The run in progress is longer than this channel's own quiet runs explain. */
  implausible(): boolean {
    if (this.completed < StuckRuns.MIN_RUNS) return this.current >= StuckRuns.UNLEARNED_RUN_SAMPLES;
    if (
      this.noiseSteps >= StuckRuns.MIN_NOISE_STEPS &&
      this.singleSteps / this.noiseSteps >= StuckRuns.SUB_DIVISION_SHARE
    ) {
      return false;
    }
    const p = (this.repeats + 1) / (this.pairs + 2);
    return this.current * Math.log(p) < StuckRuns.UNLIKELY;
  }
}
