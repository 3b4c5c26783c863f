/**
 * A feature has symmetric start()/stop(): the constructor stores dependencies, start() opens listeners and
 * timers, stop() undoes exactly that. The gateway stops features in reverse start order.
 */
export interface Feature {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}
