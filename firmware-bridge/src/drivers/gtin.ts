/** GTIN family check-digit validation (GS1 General Specifications §7.9: mod-10, weights 3/1 from the right). */
export type GtinKind = 'EAN-8' | 'UPC-A' | 'EAN-13' | 'GTIN-14';

export type GtinResult = { ok: true; kind: GtinKind; gtin14: string } | { ok: false; reason: string };

const KIND_BY_LENGTH: Record<number, GtinKind> = { 8: 'EAN-8', 12: 'UPC-A', 13: 'EAN-13', 14: 'GTIN-14' };

export function gtinCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    sum += i % 2 === 0 ? digit * 3 : digit;
  }
  return (10 - (sum % 10)) % 10;
}

export function validateGtin(code: string): GtinResult {
  if (!/^\d+$/.test(code))
    return { ok: false, reason: `not all digits: ${JSON.stringify(code.slice(0, 20))}` };
  const kind = KIND_BY_LENGTH[code.length];
  if (!kind) return { ok: false, reason: `length ${code.length} is not a GTIN length (8, 12, 13 or 14)` };
  const expected = gtinCheckDigit(code.slice(0, -1));
  const got = code.charCodeAt(code.length - 1) - 48;
  if (expected !== got)
    return { ok: false, reason: `${kind} check digit is ${got}, expected ${expected} (misread)` };
  return { ok: true, kind, gtin14: code.padStart(14, '0') };
}
