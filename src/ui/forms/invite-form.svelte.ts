import type { Meshtext } from '../../app/meshtext.svelte.ts';
import { t } from '../i18n/index.ts';
import { isJoinLink } from '../../core/organiser/join-link.ts';
import { describeJoinError } from '../organiser/organiser-error-text.ts';
import { describeError } from '../state/error-text.ts';

/** State of the "Add contact" form, which saves a contact from an invite link. */
export class InviteForm {
  link = $state('');
  error = $state<string | undefined>(undefined);
  isBusy = $state(false);
  readonly #app: Meshtext;

  constructor(app: Meshtext, initialLink: string) {
    this.#app = app;
    this.link = initialLink;
  }

  /** Saves the contact, which also opens the chat with it. Returns whether it was saved. */
  async submit(): Promise<boolean> {
    if (this.isBusy) return false;

    const link = this.link.trim();
    if (link.length === 0) {
      this.error = t('addDialog.errorEmpty');
      return false;
    }

    this.isBusy = true;
    this.error = undefined;
    const isJoin = isJoinLink(link);
    try {
      // A list's join link also adds its organiser, and files this user in the list.
      if (isJoin) await this.#app.joinList(link);
      else await this.#app.addContact(link);

      return true;
    } catch (error) {
      this.error = isJoin ? describeJoinError(error) : describeError(error, t('addDialog.errorFailed'));

      return false;
    } finally {
      this.isBusy = false;
    }
  }
}
