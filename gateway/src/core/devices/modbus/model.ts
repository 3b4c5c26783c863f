/**
 * A Modbus controller model is data: which registers hold which `cold.sample` / `energy.meter` field, how
 * to decode them, and which setpoints an installer may write. The connector plans its reads, decodes and
 * writes from this alone; adding a controller is adding one of these (docs/modbus.md "Adding a model").
 */

/** 1 read coils, 2 read discrete inputs, 3 read holding registers, 4 read input registers. */
export type ReadFunction = 1 | 2 | 3 | 4;
export type ValueType = 'bool' | 'u16' | 's16' | 'u32' | 's32' | 'float32';
/** 32-bit values span two registers: `high_first` (Modbus "big-endian", most devices) or `low_first`. */
export type WordOrder = 'high_first' | 'low_first';
/**
 * Where a register comes from: `manual` — the vendor's public manual (cited in `ref`); `secondary` — a
 * third-party published table (integrator notes), not the vendor; `assumed` — not found in a public source,
 * chosen to be plausible and to be checked on the real controller before relying on it.
 */
export type Evidence = 'manual' | 'secondary' | 'assumed';

export interface RegisterPoint {
  fn: ReadFunction;
  /** Protocol (PDU) address, 0-based, as sent on the wire. */
  address: number;
  type: ValueType;
  wordOrder?: WordOrder;
  /** Engineering value = raw × scale (e.g. 0.1 for tenths of °C). */
  scale?: number;
  unit?: string;
  /** For status bits packed in a register: the bit number (0 = least significant). */
  bit?: number;
  /** For a state register: the field is true when the raw value is one of these. */
  equals?: readonly number[];
  /** The field is the negation of the bit (e.g. a door input that reads 1 when closed). */
  invert?: boolean;
  evidence: Evidence;
  /** Manual section, table or page this comes from (or why it is assumed). */
  ref: string;
}

export interface SetpointDef {
  summary: string;
  /** Holding register (written with function 6, or 16 for 32-bit types) or coil (function 5). */
  table: 'holding' | 'coil';
  address: number;
  type: ValueType;
  wordOrder?: WordOrder;
  scale?: number;
  unit?: string;
  /** Some controllers accept only function 16 even for one register (Dixell); default 6 for one, 16 for two. */
  writeFunction?: 6 | 16;
  /** Engineering range accepted by the write path (the controller's own limits, from its manual). */
  min: number;
  max: number;
  evidence: Evidence;
  ref: string;
}

export type ColdField =
  | 'tempC'
  | 'humidityPct'
  | 'doorOpen'
  | 'defrost'
  | 'compressorOn'
  | 'alarm'
  | 'probeFault';
export type EnergyField = 'kwh' | 'powerW';

interface ModelBase {
  id: string;
  vendor: string;
  family: string;
  summary: string;
  /** The public document the map is taken from: title, document number, revision. */
  manual: string;
  /** Line settings the controller ships with (installers may have changed them). */
  line?: { baud: number; parity: 'none' | 'even' | 'odd'; stopBits: 1 | 2 };
  setpoints: Readonly<Record<string, SetpointDef>>;
  /** Highest number of registers (or bits) read in one request; some controllers refuse long reads. */
  maxReadLength?: number;
}

export interface ColdModel extends ModelBase {
  reading: 'cold.sample';
  fields: Readonly<Partial<Record<ColdField, RegisterPoint>>>;
  /**
   * Raw temperature values the controller uses for an open or shorted probe (instead of a separate bit):
   * such a sample has `probeFault: true` and no `tempC`.
   */
  probeFaultRaw?: readonly number[];
}

export interface EnergyModel extends ModelBase {
  reading: 'energy.meter';
  fields: Readonly<Partial<Record<EnergyField, RegisterPoint>> & { kwh: RegisterPoint }>;
}

export type ModbusModel = ColdModel | EnergyModel;

export function registerCount(type: ValueType): number {
  return type === 'u32' || type === 's32' || type === 'float32' ? 2 : 1;
}

export function isBitFunction(fn: ReadFunction): boolean {
  return fn === 1 || fn === 2;
}
