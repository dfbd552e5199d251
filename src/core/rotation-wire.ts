/**
 * The shape of a key rotation statement as it travels, checked without its signatures. Payload
 * validation needs only this, so it stays apart from the signing code in key-rotation.ts.
 */

export const ROTATION_VERSION = 1;

/** A rotation statement as it travels: keys and signatures in base64url. */
export interface WireRotation {
  v: number;
  oldKey: string;
  newKey: string;
  issuedAt: number;
  oldSignature: string;
  newSignature: string;
}

/** A rotation statement is malformed, or a signature does not match the key it names. */
export class RotationError extends Error {
  override name = 'RotationError';
}

/**
 * Checks the rotation's shape without its signatures, for payload validation at the edge.
 * @throws RotationError naming the first invalid field.
 */
export function parseWireRotation(input: unknown): WireRotation {
  if (typeof input !== 'object' || input === null) throw new RotationError('rotation is not an object');

  const { v, oldKey, newKey, issuedAt, oldSignature, newSignature } = input as Record<string, unknown>;
  if (v !== ROTATION_VERSION) throw new RotationError(`unsupported rotation version ${String(v)}, expected ${ROTATION_VERSION}`);
  if (typeof oldKey !== 'string' || typeof newKey !== 'string') throw new RotationError('rotation keys are missing');
  if (typeof oldSignature !== 'string' || typeof newSignature !== 'string') throw new RotationError('rotation signatures are missing');
  if (typeof issuedAt !== 'number' || !Number.isSafeInteger(issuedAt) || issuedAt < 0) throw new RotationError('rotation time is invalid');

  return { v, oldKey, newKey, issuedAt, oldSignature, newSignature };
}
