/**
 * Verification codes: the text in the QR code of the "Verify" screen. A code reads
 * `meshtext-verify:v1:<shown by>:<shown to>:<60 digits>`, where "shown by" is the address of the
 * person whose screen shows it, "shown to" is the contact they are verifying, and the digits are
 * their safety number. The person who scans it checks that the code was made for this pair of
 * addresses and that the digits equal the safety number computed from the keys stored locally.
 */

import { isAddress } from './address.ts';
import { safetyNumbersMatch } from './safety-number.ts';

export const VERIFICATION_CODE_PREFIX = 'meshtext-verify:';
export const VERIFICATION_CODE_VERSION = 1;
export const SAFETY_NUMBER_DIGITS = 60;

export interface VerificationCode {
  /** Address of the person whose screen shows the code. */
  shownBy: string;
  /** Address of the contact that person is verifying. */
  shownTo: string;
  /** The 60 digits without spaces. */
  digits: string;
}

/**
 * Result of comparing a scanned code or typed digits with the local safety number.
 * `other-pair` means the code was made for another pair of people, `different-number` means the
 * two devices hold different keys for each other.
 */
export type VerificationResult = 'match' | 'other-pair' | 'different-number';

/** Thrown when text is not a verification code or typed digits are not a whole safety number. */
export class VerificationCodeError extends Error {
  override name = 'VerificationCodeError';
}

/** Builds the code that `shownBy` displays for `shownTo`. `safetyNumber` may contain spaces. */
export function createVerificationCode(shownBy: string, shownTo: string, safetyNumber: string): string {
  const digits = normaliseDigits(safetyNumber);

  return `${VERIFICATION_CODE_PREFIX}v${VERIFICATION_CODE_VERSION}:${shownBy}:${shownTo}:${digits}`;
}

/** Tells whether text looks like a verification code of any version, as opposed to other QR content. */
export function isVerificationCode(text: string): boolean {
  return text.trim().startsWith(VERIFICATION_CODE_PREFIX);
}

/**
 * Parses a scanned verification code.
 * @throws VerificationCodeError when the text is not a version 1 code with two valid addresses
 *   and 60 digits.
 */
export function parseVerificationCode(text: string): VerificationCode {
  const parts = text.trim().split(':');
  const [prefix, version, shownBy = '', shownTo = '', digits = ''] = parts;

  if (parts.length !== 5 || `${prefix}:` !== VERIFICATION_CODE_PREFIX) {
    throw new VerificationCodeError('not a Meshtext verification code');
  }
  if (version !== `v${VERIFICATION_CODE_VERSION}`) {
    throw new VerificationCodeError(`verification code version ${String(version)} is not supported`);
  }
  if (!isAddress(shownBy) || !isAddress(shownTo)) {
    throw new VerificationCodeError('verification code contains an invalid address');
  }

  return { shownBy, shownTo, digits: normaliseDigits(digits) };
}

/**
 * Compares a code scanned from the contact's screen with the local view of the conversation.
 * The contact's code must be shown by `contactAddress` to `ownAddress`. A code from the user's
 * own screen has the addresses swapped and proves nothing, so it is reported as `other-pair`.
 */
export function compareVerificationCode(
  code: VerificationCode,
  ownAddress: string,
  contactAddress: string,
  localSafetyNumber: string,
): VerificationResult {
  if (code.shownBy !== contactAddress || code.shownTo !== ownAddress) return 'other-pair';

  return safetyNumbersMatch(code.digits, localSafetyNumber) ? 'match' : 'different-number';
}

/**
 * Compares digits the user typed from the contact's screen with the local safety number.
 * Spaces, line breaks and dashes between the digits are ignored.
 * @throws VerificationCodeError when the input does not contain exactly 60 digits.
 */
export function compareTypedDigits(typed: string, localSafetyNumber: string): Exclude<VerificationResult, 'other-pair'> {
  const digits = normaliseDigits(typed);

  return safetyNumbersMatch(digits, localSafetyNumber) ? 'match' : 'different-number';
}

/**
 * Removes the separators people type or copy between digit groups.
 * @throws VerificationCodeError unless exactly 60 digits remain.
 */
function normaliseDigits(text: string): string {
  const digits = text.replace(/[\s-]+/g, '');

  if (!/^\d+$/.test(digits) || digits.length !== SAFETY_NUMBER_DIGITS) {
    throw new VerificationCodeError(`expected ${SAFETY_NUMBER_DIGITS} digits, got ${JSON.stringify(text.slice(0, 80))}`);
  }

  return digits;
}
