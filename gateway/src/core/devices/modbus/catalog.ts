import { carelIr33 } from './carel-ir33.js';
import { danfossAkcc55 } from './danfoss-akcc55.js';
import { dixellXr } from './dixell-xr.js';
import { eastronSdm120, eastronSdm630 } from './eastron-sdm.js';
import type { ModbusModel, RegisterPoint } from './model.js';

/** Every shipped controller model, by the id used in `modbus.devices[].model`. */
export const MODBUS_MODELS: ReadonlyMap<string, ModbusModel> = new Map(
  [dixellXr, carelIr33, danfossAkcc55, eastronSdm120, eastronSdm630].map((m) => [m.id, m]),
);

export const MODBUS_MODEL_IDS = [...MODBUS_MODELS.keys()] as [string, ...string[]];

export function modelPoints(model: ModbusModel): Array<[field: string, point: RegisterPoint]> {
  return Object.entries(model.fields).filter((e): e is [string, RegisterPoint] => e[1] !== undefined);
}
