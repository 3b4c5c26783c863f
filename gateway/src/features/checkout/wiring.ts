import type { LoadedConfig } from '../../config/load.js';
import {
  CheckoutProcessor,
  type CheckoutProcessorDeps,
} from '../../processors/checkout/checkout-processor.js';
import { WeightLearner } from '../../processors/checkout/weight-learner.js';

/** What a lane processor needs besides `checkout:` (where the catalog, lanes and learned weights come from). */
export type CheckoutProcessorInputs = Omit<CheckoutProcessorDeps, 'config' | 'learner'> & {
  /** Learned weights to resume from (the live gateway's checkout.db); replay starts with none. */
  learned?: ConstructorParameters<typeof WeightLearner>[1];
};

/**
 * The lane processor and its weight learner as `checkout:` configures them. The live feature and
 * `storegate replay` both build them here, so a replay runs the tolerances the gateway runs.
 */
export function checkoutProcessor(
  config: LoadedConfig,
  inputs: CheckoutProcessorInputs,
): { processor: CheckoutProcessor; learner: WeightLearner } {
  const { learned, ...deps } = inputs;
  const cfg = config.checkout;
  const learner = new WeightLearner(cfg.learning, learned);
  return { processor: new CheckoutProcessor({ ...deps, config: cfg, learner }), learner };
}
