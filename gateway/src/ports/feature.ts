/**
 * A feature has symmetric start()/stop(): the constructor stores dependencies, start() acquires (stores,
 * pipeline registrations, listeners, timers, routes) and stop() undoes exactly that, also after a start() that
 * failed half way. The gateway starts features in order, stops them in reverse, and isolates failures: a feature
 * whose start() throws is stopped again, reported degraded in /healthz and `storegate_feature_up`, and the
 * rest of the gateway runs on.
 */
export interface Feature {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** null when healthy, else what is wrong (e.g. an OPC UA endpoint down for minutes). */
  health?(): string | null;
}
