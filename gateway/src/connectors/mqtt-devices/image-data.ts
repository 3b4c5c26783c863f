/**
 * Cameras must send metadata only (counts, zones, lines), never pictures of shoppers. A payload is treated as
 * carrying image data if any key looks like an image field, or any string looks like an encoded image.
 */
const IMAGE_KEYS =
  /^(image|images|img|frame|frames|jpeg|jpg|png|bmp|webp|snapshot|thumbnail|picture|photo|data_uri|datauri|pixels|raw_image)$/i;
const DATA_URI = /^data:image\//i;
/** Longer than any label, code or firmware string the contract allows, and base64-alphabet only. */
const LONG_BASE64 = /^[A-Za-z0-9+/=_-]{256,}$/;
const MAX_DEPTH = 6;

export function containsImageData(value: unknown, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  if (typeof value === 'string')
    return DATA_URI.test(value) || (value.length >= 256 && LONG_BASE64.test(value));
  if (Array.isArray(value)) {
    // a long array of small integers is a raw pixel buffer
    if (value.length >= 1024 && value.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) return true;
    return value.some((v) => containsImageData(v, depth + 1));
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (IMAGE_KEYS.test(key)) return true;
      if (containsImageData(v, depth + 1)) return true;
    }
  }
  return false;
}
