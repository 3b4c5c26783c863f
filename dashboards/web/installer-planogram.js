// Planogram editing for the installer web, on the wire form of GET/PUT /api/planogram:
// `{plates: [flat one-plate facings], facings: [{id, sku, …, plates: [{device, channel}]}]}`.

const key = (p) => `${p.device}#${p.channel}`;

/** Every facing of the planogram, one-plate (flat) entries included, in one shape. */
export function planogramFacings(wire) {
  const flat = (wire.plates ?? []).map((p) => ({
    id: key(p),
    flat: true,
    sku: p.sku,
    name: p.name,
    unit_grams: p.unit_grams,
    tolerance_grams: p.tolerance_grams,
    capacity: p.capacity,
    low_stock: p.low_stock,
    plates: [{ device: p.device, channel: p.channel }],
  }));
  const facings = (wire.facings ?? []).map((f) => ({ ...f, id: f.id ?? key(f.plates[0]), flat: false }));
  return [...flat, ...facings];
}

export const plateRefs = (f) => f.plates.map(key);

function clean(obj) {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined && v !== ''));
}

function bad(message) {
  const err = new Error(message);
  err.code = 'SG_BAD_ARGUMENT';
  return err;
}

/** A facing's plates must sit side by side: one shelf controller, consecutive channels (put in shelf order). */
export function checkAdjacent(plates) {
  if (plates.length === 0) throw bad('choose at least one plate');
  const devices = new Set(plates.map((p) => p.device));
  if (devices.size > 1)
    throw bad(`plates of one facing must be on one shelf controller (got ${[...devices].join(', ')})`);
  const sorted = [...plates].sort((a, b) => a.channel - b.channel);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].channel !== sorted[i - 1].channel + 1) {
      throw bad(
        `plates of one facing must be adjacent: channel ${sorted[i - 1].channel} and ${sorted[i].channel} are not`,
      );
    }
  }
  return sorted;
}

function toDoc(facings) {
  const plates = [];
  const multi = [];
  for (const f of facings) {
    const { flat: _flat, plates: refs, ...rest } = f;
    if (refs.length === 1 && (f.id === undefined || f.id === key(refs[0]))) {
      plates.push(clean({ device: refs[0].device, channel: refs[0].channel, ...rest, id: undefined }));
    } else multi.push(clean({ ...rest, plates: refs }));
  }
  return multi.length > 0 ? { plates, facings: multi } : { plates };
}

/**
 * The planogram with `facing` saved in place of the facing `replacing` (null: a new one). Plates it takes from
 * other facings leave those (a facing left without plates goes); plates the edited facing no longer lists leave
 * the planogram.
 */
export function facingDoc(wire, replacing, facing) {
  const plates = checkAdjacent(facing.plates);
  const taken = new Set(plates.map(key));
  const others = [];
  for (const f of planogramFacings(wire)) {
    if (replacing !== null && f.id === replacing) continue;
    const remaining = f.plates.filter((p) => !taken.has(key(p)));
    if (remaining.length === 0) continue;
    if (remaining.length === f.plates.length) others.push(f);
    else others.push({ ...f, flat: false, plates: remaining, id: f.id });
  }
  return toDoc([...others, { ...facing, plates }]);
}

export function removeFacing(wire, id) {
  return toDoc(planogramFacings(wire).filter((f) => f.id !== id));
}
