import type { Meshtext } from '../../app/meshtext.svelte.ts';
import { MAX_PROFILE_STATUS_LENGTH } from '../../core/organiser/control-messages.ts';
import { MAX_DISPLAY_NAME_LENGTH } from '../../core/identity.ts';
import { t } from '../i18n/index.ts';
import { describeError } from '../state/error-text.ts';
import { AvatarImageError, resizeAvatar } from './avatar-image.ts';

/** State of the profile editor: name, status line and avatar, saved and sent to contacts together. */
export class ProfileForm {
  displayName = $state('');
  status = $state('');
  avatar = $state<string | undefined>(undefined);
  error = $state<string | undefined>(undefined);
  isSaved = $state(false);
  isBusy = $state(false);
  readonly #app: Meshtext;

  constructor(app: Meshtext) {
    this.#app = app;
    this.displayName = app.ownName ?? '';
  }

  /** Fills the form from the stored profile. */
  async load(): Promise<void> {
    const profile = await this.#app.organiser.profile.load();
    this.status = profile.status;
    this.avatar = profile.avatar;
  }

  /** Resizes a chosen picture into the avatar; a file that is no image leaves the old one. */
  async chooseImage(file: File): Promise<void> {
    this.error = undefined;
    this.isSaved = false;
    try {
      this.avatar = await resizeAvatar(file);
    } catch (error) {
      if (!(error instanceof AvatarImageError)) console.error('[meshtext:ui] resizing the picture failed', error);
      this.error = t('profileEdit.errorImage');
    }
  }

  removeImage(): void {
    this.avatar = undefined;
    this.isSaved = false;
  }

  async save(): Promise<void> {
    if (this.isBusy) return;

    const name = this.displayName.trim();
    if (name.length === 0 || name.length > MAX_DISPLAY_NAME_LENGTH) {
      this.error = t('profileEdit.errorName');
      return;
    }
    if (this.status.trim().length > MAX_PROFILE_STATUS_LENGTH) {
      this.error = t('profileEdit.errorStatus', { max: MAX_PROFILE_STATUS_LENGTH });
      return;
    }

    this.isBusy = true;
    this.error = undefined;
    this.isSaved = false;
    try {
      await this.#app.organiser.profile.update({ displayName: name, status: this.status, avatar: this.avatar });
      this.#app.refreshOwnName();
      this.isSaved = true;
    } catch (error) {
      this.error = describeError(error, t('profileEdit.errorFailed'));
    } finally {
      this.isBusy = false;
    }
  }
}
