import type { OpcuaSection } from '../../config/sections/opcua.js';
import type { FridgeAlarmRule } from '../../processors/coldchain/fridge-alarm.js';

/** Alarm rules declared on points in `opcua.endpoints[].points[].alarm`. */
export function fridgeAlarmRulesFrom(section: OpcuaSection): FridgeAlarmRule[] {
  const rules: FridgeAlarmRule[] = [];
  for (const ep of section.endpoints) {
    for (const p of ep.points) {
      if (!p.alarm) continue;
      rules.push({
        deviceId: ep.id,
        point: p.name,
        maxC: p.alarm.max_c,
        forMs: p.alarm.for_s * 1000,
        hysteresisC: p.alarm.hysteresis_c,
      });
    }
  }
  return rules;
}
