/**
 * State of the Verify dialog for one contact: the comparison of a scanned code or typed digits
 * with the local safety number, and the verified mark. A match marks the contact verified at
 * once, and a mismatch leaves the mark as it was.
 */

import type { Meshtext } from '../../app/meshtext.svelte.ts';
import {
  compareTypedDigits,
  compareVerificationCode,
  isVerificationCode,
  parseVerificationCode,
  VerificationCodeError,
  type VerificationResult,
} from '../../core/verification-code.ts';
import { BusyAction } from '../forms/busy-action.svelte.ts';
import { t } from '../i18n/index.ts';

export interface VerifyParties {
  ownAddress: string;
  contactAddress: string;
  /** The safety number computed from the keys stored on this device. */
  safetyNumber: string;
}

export class VerifySession extends BusyAction {
  typed = $state('');
  /** Result of the last comparison, cleared when the user edits the typed digits. */
  result = $state<VerificationResult | undefined>(undefined);
  readonly #app: Meshtext;
  readonly #parties: VerifyParties;

  constructor(app: Meshtext, parties: VerifyParties) {
    super('verify.actionFailed');
    this.#app = app;
    this.#parties = parties;
  }

  /**
   * Handles text read by the scanner. Returns a sentence for QR codes that are not verification
   * codes, so scanning goes on, or undefined once a code was compared, whatever the result.
   */
  handleScanned(text: string): string | undefined {
    if (!isVerificationCode(text)) return t('verify.notACode');

    let result: VerificationResult;
    try {
      const { ownAddress, contactAddress, safetyNumber } = this.#parties;
      result = compareVerificationCode(parseVerificationCode(text), ownAddress, contactAddress, safetyNumber);
    } catch (error) {
      if (error instanceof VerificationCodeError) return t('verify.notACode');
      throw error;
    }

    void this.#finish(result);

    return undefined;
  }

  /** Compares the typed digits, or a pasted verification code, with the local safety number. */
  async compareTyped(): Promise<void> {
    const input = this.typed.trim();
    if (isVerificationCode(input)) {
      const rejection = this.handleScanned(input);
      if (rejection) this.error = rejection;
      return;
    }

    let result: VerificationResult;
    try {
      result = compareTypedDigits(input, this.#parties.safetyNumber);
    } catch (error) {
      if (!(error instanceof VerificationCodeError)) throw error;

      this.result = undefined;
      this.error = t('verify.incomplete');
      return;
    }

    await this.#finish(result);
  }

  /** Forgets the last comparison, for example when the typed digits change. */
  clearResult(): void {
    this.result = undefined;
    this.error = undefined;
  }

  /** Marks the contact verified on the user's word, which overrides an earlier mismatch. */
  async markVerified(): Promise<void> {
    this.result = undefined;
    await this.#mark();
  }

  async clearVerified(): Promise<void> {
    this.result = undefined;
    await this.run(() => this.#app.clearVerified(this.#parties.contactAddress));
  }

  async #finish(result: VerificationResult): Promise<void> {
    this.error = undefined;
    this.result = result;

    if (result === 'match') await this.#mark();
  }

  async #mark(): Promise<void> {
    await this.run(() => this.#app.markVerified(this.#parties.contactAddress));
  }
}
