import type { OPCUAClient } from 'node-opcua';

/** The node-opcua client events the endpoint connection acts on, under names that say what they mean. */
export interface ClientEventHandlers {
  /** A request is about to be sent; `service` is e.g. `PublishRequest`, `RepublishRequest`. */
  request(service: string): void;
  /** `connect()` failed once and will try again after `delayMs` (also during node-opcua's own repair). */
  retrying(attempt: number, delayMs: number): void;
  /** The secure channel broke; node-opcua starts repairing it (new channel, session reactivation, republish). */
  lost(): void;
  /** node-opcua finished that repair: channel, session and its subscription repair all done. */
  reestablished(): void;
  /** node-opcua closed the client on an error and will not repair it. */
  gaveUp(err: Error): void;
  /**
   * A Republish answered Good with sequence number 0 — python-asyncua's answer for a message it does not hold
   * (the spec says BadMessageNotAvailable). Sequence numbers start at 1 (OPC UA Part 4 §7.38), so this can
   * never end node-opcua's republish loop, which asks for the next number forever.
   */
  endlessRepublish(): void;
}

interface ResponseLike {
  schema?: { name?: string };
  responseHeader?: { serviceResult?: { isGood(): boolean } };
  notificationMessage?: { sequenceNumber?: number };
}

export function watchClient(client: OPCUAClient, on: ClientEventHandlers): void {
  client.on('send_request', (request: { schema?: { name?: string } }) =>
    on.request(request?.schema?.name ?? ''),
  );
  client.on('backoff', (attempt: number, delayMs: number) => on.retrying(attempt, delayMs));
  client.on('connection_lost', () => on.lost());
  client.on('connection_reestablished', () => on.reestablished());
  client.on('receive_response', (response: ResponseLike) => {
    if (response?.schema?.name !== 'RepublishResponse') return;
    const good = response.responseHeader?.serviceResult?.isGood() ?? false;
    if (good && response.notificationMessage?.sequenceNumber === 0) on.endlessRepublish();
  });
  client.on('close', (err?: Error | null) => {
    if (err) on.gaveUp(err);
  });
}
