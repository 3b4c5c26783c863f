import {
  DataType,
  NotificationMessage,
  OPCUACertificateManager,
  OPCUAServer,
  type RepublishRequest,
  RepublishResponse,
  type StatusCode,
  StatusCodes,
  type UAVariable,
  Variant,
} from 'node-opcua';

/**
 * How the server answers a Republish for a sequence number it does not hold. `compliant`: BadMessageNotAvailable
 * (OPC UA Part 4 §5.13.6, node-opcua's own server). `asyncua`: Good with an empty NotificationMessage
 * (sequence number 0), as python-asyncua does (`return ua.NotificationMessage()` in internal_subscription.py) —
 * the answer that keeps node-opcua's republish loop going forever. `echo`: Good with an empty message that
 * carries the requested sequence number — no known server; a loop the client cannot recognise by its answer,
 * so only the request-rate cap and the attempt bound can end it.
 */
export type RepublishBehaviour = 'compliant' | 'asyncua' | 'echo';

export interface StartOptions {
  /** If given, user name/password sessions are checked against it (anonymous stays allowed). */
  users?: Record<string, string>;
  /**
   * Extra namespaces registered after the server's own (index 1), in this order, each holding a Double
   * `s=Probe.Temp` with the given value. A restart with another order moves the namespace indexes.
   */
  namespaces?: readonly { uri: string; probeTemp: number }[];
}

/** node-opcua's server with its Republish service answered as `asyncua` or `echo` (see RepublishBehaviour). */
class NonCompliantRepublishServer extends OPCUAServer {
  echo = false;

  protected override _on_RepublishRequest(
    ...[message, channel]: Parameters<OPCUAServer['_on_RepublishRequest']>
  ): void {
    const request = message.request as RepublishRequest;
    void this._apply_on_Subscription(RepublishResponse, message, channel, async (_s, subscription, send) => {
      const held = subscription.getMessageForSequenceNumber(request.retransmitSequenceNumber);
      send(
        new RepublishResponse({
          notificationMessage:
            held ??
            new NotificationMessage(this.echo ? { sequenceNumber: request.retransmitSequenceNumber } : {}),
          responseHeader: { serviceResult: StatusCodes.Good },
        }),
      );
    });
  }
}

/**
 * A real node-opcua server for connector tests: a cold-room controller with a fridge temperature (Double) and a
 * door contact (Boolean) in namespace 1, as `ns=1;s=Fridge3.Temp` and `ns=1;s=Fridge3.DoorOpen`.
 * Restartable on the same port (a PLC reboot); the PKI folder is reused so certificates are made once.
 * Counts every request it receives by service, so tests can bound what a client sends.
 */
export class TestOpcuaServer {
  private server: OPCUAServer | null = null;
  private temp: UAVariable | null = null;
  private door: UAVariable | null = null;
  private readonly probes = new Map<string, UAVariable>();
  /** Requests received since construction, by service name (`PublishRequest`, `RepublishRequest`, …). */
  readonly requests = new Map<string, number>();

  constructor(
    readonly port: number,
    private readonly pkiDir: string,
    private readonly republish: RepublishBehaviour = 'compliant',
  ) {}

  get url(): string {
    return `opc.tcp://127.0.0.1:${this.port}`;
  }

  requestCount(service?: string): number {
    if (service !== undefined) return this.requests.get(service) ?? 0;
    let total = 0;
    for (const n of this.requests.values()) total += n;
    return total;
  }

  async start(initialTemp = 3.5, options: StartOptions = {}): Promise<void> {
    const { users } = options;
    const Server = this.republish === 'compliant' ? OPCUAServer : NonCompliantRepublishServer;
    const server = new Server({
      port: this.port,
      hostname: '127.0.0.1',
      ...(users
        ? { userManager: { isValidUser: (user: string, password: string) => users[user] === password } }
        : {}),
      serverCertificateManager: new OPCUACertificateManager({
        rootFolder: this.pkiDir,
        automaticallyAcceptUnknownCertificate: true,
      }),
    });
    if (server instanceof NonCompliantRepublishServer) server.echo = this.republish === 'echo';
    server.on('request', (request: { schema: { name: string } }) => {
      const name = request.schema.name;
      this.requests.set(name, (this.requests.get(name) ?? 0) + 1);
    });
    await server.initialize();
    const addressSpace = server.engine.addressSpace!;
    const ns = addressSpace.getOwnNamespace();
    const fridge = ns.addObject({ organizedBy: addressSpace.rootFolder.objects, browseName: 'Fridge3' });
    this.temp = ns.addVariable({
      componentOf: fridge,
      browseName: 'Temp',
      nodeId: 's=Fridge3.Temp',
      dataType: 'Double',
      value: new Variant({ dataType: DataType.Double, value: initialTemp }),
    });
    this.door = ns.addVariable({
      componentOf: fridge,
      browseName: 'DoorOpen',
      nodeId: 's=Fridge3.DoorOpen',
      dataType: 'Boolean',
      value: new Variant({ dataType: DataType.Boolean, value: false }),
    });
    this.probes.clear();
    for (const { uri, probeTemp } of options.namespaces ?? []) {
      const extra = addressSpace.registerNamespace(uri);
      this.probes.set(
        uri,
        extra.addVariable({
          organizedBy: addressSpace.rootFolder.objects,
          browseName: 'ProbeTemp',
          nodeId: 's=Probe.Temp',
          dataType: 'Double',
          value: new Variant({ dataType: DataType.Double, value: probeTemp }),
        }),
      );
    }
    await server.start();
    this.server = server;
  }

  /** The index the running server gave a namespace URI (-1 if not registered). */
  namespaceIndex(uri: string): number {
    return this.server!.engine.addressSpace!.getNamespaceIndex(uri);
  }

  setTemp(value: number, status: StatusCode = StatusCodes.Good): void {
    this.temp!.setValueFromSource(new Variant({ dataType: DataType.Double, value }), status);
  }

  setProbeTemp(uri: string, value: number): void {
    this.probes.get(uri)!.setValueFromSource(new Variant({ dataType: DataType.Double, value }));
  }

  /** A dead probe: Bad status and no value, as PLCs report a broken sensor. */
  failTempSensor(): void {
    this.temp!.setValueFromSource(new Variant({ dataType: DataType.Null }), StatusCodes.BadSensorFailure);
  }

  setDoor(open: boolean): void {
    this.door!.setValueFromSource(new Variant({ dataType: DataType.Boolean, value: open }));
  }

  /** The server drops every session (and its subscriptions) while the TCP connection stays up. */
  killSessions(): number {
    const engine = this.server!.engine;
    const sessions = Object.values(
      (engine as unknown as { _sessions: Record<string, { authenticationToken: never }> })._sessions,
    );
    for (const s of sessions) engine.closeSession(s.authenticationToken, true, 'Terminated');
    return sessions.length;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await server.shutdown(0);
  }
}
