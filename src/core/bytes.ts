/**
 * Byte helpers shared by the protocol code: text encoding, base32 for relay addresses and
 * base64url for links and tokens. Kept dependency-free so the relay can import them too.
 */

const BASE32_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Encodes a string as UTF-8 bytes. */
export function utf8(text: string): Uint8Array {
  return textEncoder.encode(text);
}

/**
 * Decodes UTF-8 bytes into a string.
 * @throws TypeError when the bytes are not valid UTF-8.
 */
export function fromUtf8(bytes: Uint8Array): string {
  return textDecoder.decode(bytes);
}

/** Joins byte arrays into one new array. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const joined = new Uint8Array(total);
  let offset = 0;

  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }

  return joined;
}

/** Compares two byte arrays in time that depends only on their lengths. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;

  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);

  return difference === 0;
}

/** Encodes bytes as lowercase RFC 4648 base32 without padding. */
export function toBase32(bytes: Uint8Array): string {
  let output = '';
  let buffer = 0;
  let bits = 0;

  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      output += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) output += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];

  return output;
}

/**
 * Decodes lowercase RFC 4648 base32 without padding.
 * @throws RangeError on a character outside the alphabet or non-zero trailing bits.
 */
export function fromBase32(text: string): Uint8Array {
  const output = new Uint8Array(Math.floor((text.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;

  for (const char of text) {
    const value = BASE32_ALPHABET.indexOf(char);
    if (value < 0) throw new RangeError(`invalid base32 character ${JSON.stringify(char)}`);
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      output[index++] = (buffer >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) throw new RangeError('invalid base32 padding bits');

  return output;
}

/** Encodes bytes as base64url without padding (RFC 4648 section 5). */
export function toBase64Url(bytes: Uint8Array): string {
  let output = '';

  for (let i = 0; i < bytes.length; i += 3) {
    const chunk = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const charCount = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let j = 0; j < charCount; j++) output += BASE64URL_ALPHABET[(chunk >>> (18 - 6 * j)) & 63];
  }

  return output;
}

/**
 * Decodes base64url without padding.
 * @throws RangeError on a character outside the alphabet or an impossible length.
 */
export function fromBase64Url(text: string): Uint8Array {
  if (text.length % 4 === 1) throw new RangeError('invalid base64url length');

  const output = new Uint8Array(Math.floor((text.length * 6) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;

  for (const char of text) {
    const value = BASE64URL_ALPHABET.indexOf(char);
    if (value < 0) throw new RangeError(`invalid base64url character ${JSON.stringify(char)}`);
    buffer = ((buffer << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      output[index++] = (buffer >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }

  return output;
}
