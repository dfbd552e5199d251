import type { Meshtext } from '../../app/meshtext.svelte.ts';
import { cardFromContact } from '../../core/contact-cards.ts';
import type { ContactRecord } from '../../core/storage-port.ts';
import { t } from '../i18n/index.ts';
import { describeGroupError } from './group-error-text.ts';

/** State of the create group dialog. */
export class CreateGroupForm {
  name = $state('');
  isAnnouncement = $state(false);
  selected = $state<string[]>([]);
  error = $state<string | undefined>(undefined);
  isBusy = $state(false);
  readonly #app: Meshtext;

  constructor(app: Meshtext) {
    this.#app = app;
  }

  /** Creates the group and opens it; returns whether that worked. */
  async submit(contacts: ContactRecord[]): Promise<boolean> {
    if (this.name.trim().length === 0) {
      this.error = t('groups.errorName');
      return false;
    }

    this.isBusy = true;
    this.error = undefined;
    try {
      const members = contacts.filter((contact) => this.selected.includes(contact.address)).map(cardFromContact);
      const record = await this.#app.groups.service.create(this.name, members, { isAnnouncement: this.isAnnouncement });
      await this.#app.messenger.refreshWatchList();
      await this.#app.openGroupChat(record.id);
      return true;
    } catch (error) {
      this.error = describeGroupError(error, t('groups.errorFailed'));
      return false;
    } finally {
      this.isBusy = false;
    }
  }
}

/** State of the composer of one group chat. */
export class GroupComposerForm {
  draft = $state('');
  error = $state<string | undefined>(undefined);
  canSend = $derived(this.draft.trim().length > 0);
  readonly #app: Meshtext;
  readonly #group: string;

  constructor(app: Meshtext, group: string) {
    this.#app = app;
    this.#group = group;
  }

  /** Sends the draft; when storing fails the text comes back with an error, so nothing typed is lost. */
  async submit(): Promise<void> {
    if (!this.canSend) return;

    const text = this.draft;
    this.draft = '';
    this.error = undefined;
    try {
      await this.#app.groups.service.sendText(this.#group, text);
    } catch (error) {
      if (this.draft === '') this.draft = text;
      this.error = describeGroupError(error, t('composer.errorFailed'));
    }
  }
}

/** Runs one group change from the members panel and keeps its error for the screen. */
export class GroupActionRunner {
  error = $state<string | undefined>(undefined);
  isBusy = $state(false);
  readonly #app: Meshtext;

  constructor(app: Meshtext) {
    this.#app = app;
  }

  async run(action: () => Promise<unknown>): Promise<boolean> {
    this.isBusy = true;
    this.error = undefined;
    try {
      await action();
      await this.#app.messenger.refreshWatchList();
      return true;
    } catch (error) {
      this.error = describeGroupError(error, t('groups.errorFailed'));
      return false;
    } finally {
      this.isBusy = false;
    }
  }
}
