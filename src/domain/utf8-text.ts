/**
 * Record bytes as text, strictly. Buffer#toString('utf8') replaces every malformed sequence with
 * U+FFFD without a word, so a tick whose label or key was Latin-1 (or binary) was accepted with
 * other text than was sent; a byte order mark made JSON.parse fail on an invisible character.
 */

const STRICT = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text of `bytes`, or why they are not UTF-8: the offset and value of the first bad byte. */
export function strictUtf8(bytes: Uint8Array): { text: string } | { error: string } {
  try {
    return { text: STRICT.decode(bytes) };
  } catch {
    const at = firstInvalidByte(bytes);
    const b = bytes[at] ?? 0;
    return { error: `not valid UTF-8 (byte 0x${b.toString(16).padStart(2, '0')} at offset ${at}); send UTF-8 text (re-encode Latin-1 or other code pages)` };
  }
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence (RFC 3629). */
function firstInvalidByte(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    const n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (n === 0 || i + n > b.length) return i;
    // The second byte's range rules out overlong forms, surrogates and code points above U+10FFFF.
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k < n; k++) if (b[i + k] < (k === 1 ? lo : 0x80) || b[i + k] > (k === 1 ? hi : 0xbf)) return i;
    i += n;
  }
  return i;
}
