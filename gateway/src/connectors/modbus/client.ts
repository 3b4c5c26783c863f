import modbusSerial from 'modbus-serial';

// modbus-serial is CommonJS: under NodeNext its default import is module.exports, whose `default` is the class.
const ModbusRTU = modbusSerial.default;

/** modbus-serial's master: one per link; the unit (slave) id is set before each request. */
export type ModbusClient = InstanceType<typeof ModbusRTU>;

export function createModbusClient(port?: unknown): ModbusClient {
  return new ModbusRTU(port);
}
