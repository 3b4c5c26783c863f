import type { Logger } from '../../../../shared/src/logger.js';
import type { Feature } from '../../ports/feature.js';
import { ColdChainProcessor } from '../../processors/coldchain/coldchain-processor.js';
import type { GatewayContext } from '../context.js';
import { FeatureScope } from '../scope.js';
import { coldChainOptions } from './units.js';

/**
 * Cold chain: the processor in the pipeline for every configured unit (and OPC UA alarm points). Started only
 * when there is at least one unit.
 */
export class ColdChainFeature implements Feature {
  readonly name = 'coldchain';
  readonly processor: ColdChainProcessor;
  private readonly log: Logger;
  private scope: FeatureScope | null = null;

  constructor(readonly ctx: GatewayContext) {
    this.log = ctx.logger.child({ mod: 'coldchain' });
    this.processor = new ColdChainProcessor(coldChainOptions(ctx.config));
  }

  async start(): Promise<void> {
    const scope = new FeatureScope(this.log);
    this.scope = scope;
    scope.defer(this.ctx.pipeline.add(this.processor));
    this.log.info({ units: coldChainOptions(this.ctx.config).units.length }, 'cold chain started');
  }

  async stop(): Promise<void> {
    await this.scope?.release();
    this.scope = null;
  }
}
