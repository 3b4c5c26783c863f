/**
 * Why a Modbus request failed, as a short label for counters (`storegate_modbus_errors_total{reason}`) and
 * throttled logs. Exception codes are from the Modbus Application Protocol v1.1b §7 (1 illegal function,
 * 2 illegal data address, 3 illegal data value, 4 slave device failure, 6 busy, 11 gateway target failed).
 */
export type ModbusFailure =
  | 'timeout'
  | 'crc'
  | `exception_${number}`
  | 'bad_frame'
  | 'not_connected'
  | 'other';

export function classifyModbusError(err: unknown): ModbusFailure {
  const e = err as { modbusCode?: number; errno?: string; message?: string; name?: string } | null;
  if (e && typeof e.modbusCode === 'number') return `exception_${e.modbusCode}`;
  const message = e?.message ?? String(err);
  if (e?.errno === 'ETIMEDOUT' || /timed out/i.test(message)) return 'timeout';
  if (/CRC error/i.test(message)) return 'crc';
  if (/Data length error|Unexpected data error/i.test(message)) return 'bad_frame';
  if (e?.errno === 'ECONNREFUSED' || /Port Not Open|not connected|ECONNRESET|EPIPE/i.test(message))
    return 'not_connected';
  return 'other';
}

/** A slave that answered (even with an exception) is alive; silence or garbage is not. */
export function slaveAnswered(failure: ModbusFailure): boolean {
  return failure.startsWith('exception_');
}
