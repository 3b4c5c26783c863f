import {
  DataType,
  OPCUACertificateManager,
  OPCUAServer,
  type StatusCode,
  StatusCodes,
  type UAVariable,
  Variant,
} from 'node-opcua';

/**
 * A real node-opcua server for connector tests: a cold-room controller with a fridge temperature (Double) and a
 * door contact (Boolean) in namespace 1, as `ns=1;s=Fridge3.Temp` and `ns=1;s=Fridge3.DoorOpen`.
 * Restartable on the same port (a PLC reboot); the PKI folder is reused so certificates are made once.
 */
export class TestOpcuaServer {
  private server: OPCUAServer | null = null;
  private temp: UAVariable | null = null;
  private door: UAVariable | null = null;

  constructor(
    readonly port: number,
    private readonly pkiDir: string,
  ) {}

  get url(): string {
    return `opc.tcp://127.0.0.1:${this.port}`;
  }

  /** `users`: if given, user name/password sessions are checked against it (anonymous stays allowed). */
  async start(initialTemp = 3.5, users?: Record<string, string>): Promise<void> {
    const server = new OPCUAServer({
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
    await server.start();
    this.server = server;
  }

  setTemp(value: number, status: StatusCode = StatusCodes.Good): void {
    this.temp!.setValueFromSource(new Variant({ dataType: DataType.Double, value }), status);
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
