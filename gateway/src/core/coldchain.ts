/**
 * Cold-chain vocabulary shared by the config, the processor and the HACCP record: product classes with their
 * default limits. Figures: quick-frozen food at −18 °C or colder with retail display cabinets allowed up to
 * 3 °C above (Directive 89/108/EEC art. 5, monitored per Regulation (EC) 37/2005); chilled food at 0…+5 °C
 * (common national limits are +4…+8 °C; set `max_c` to yours); ice cream at −18 °C with less tolerance
 * (heat shock); live shellfish tanks kept at +2…+8 °C, where too cold kills as surely as too warm.
 */

export const COLD_CLASSES = ['chilled', 'frozen', 'ice_cream', 'live_seafood'] as const;
export type ColdClass = (typeof COLD_CLASSES)[number];

export interface ColdClassDefaults {
  minC: number;
  maxC: number;
  /** Minutes above max before a high alarm; below min before a low alarm. */
  highForMin: number;
  lowForMin: number;
  hysteresisC: number;
  doorOpenMaxMin: number;
}

export const COLD_CLASS_DEFAULTS: Readonly<Record<ColdClass, ColdClassDefaults>> = {
  chilled: { minC: -1, maxC: 5, highForMin: 30, lowForMin: 30, hysteresisC: 0.5, doorOpenMaxMin: 5 },
  frozen: { minC: -40, maxC: -15, highForMin: 30, lowForMin: 60, hysteresisC: 1, doorOpenMaxMin: 3 },
  ice_cream: { minC: -40, maxC: -18, highForMin: 15, lowForMin: 60, hysteresisC: 1, doorOpenMaxMin: 2 },
  live_seafood: { minC: 2, maxC: 8, highForMin: 15, lowForMin: 15, hysteresisC: 0.5, doorOpenMaxMin: 10 },
};

export const COLD_ALARMS = ['high', 'low', 'door_open', 'probe_fault', 'comm_loss'] as const;
export type ColdAlarmKind = (typeof COLD_ALARMS)[number];

/** The id of one alarm occurrence: stable across raised/cleared and what staff acknowledge. */
export function coldAlarmId(unit: string, alarm: ColdAlarmKind, startedAt: number): string {
  return `${unit}:${alarm}:${startedAt}`;
}
