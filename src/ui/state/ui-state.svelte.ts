import type { SharedFiles } from './shared-files.svelte.ts';

/**
 * Interface state that storage does not hold, which is the open dialog. Conversation data
 * never lives here, because the screens read it from storage through live queries.
 */

/** Text and files another app shared, while the user chooses the chat they go to. */
export interface HeldShare {
  text: string;
  sharedFiles?: SharedFiles;
}

export type OpenDialog =
  | { kind: 'share' }
  /** `heldShare` is offered again when the dialog closes, so adding a first contact keeps a share. */
  | { kind: 'add-contact'; initialLink: string; heldShare?: HeldShare }
  | { kind: 'create-group' }
  | { kind: 'join-group'; link: string }
  | { kind: 'share-target'; text: string; sharedFiles?: SharedFiles }
  | undefined;

export class UiState {
  dialog = $state.raw<OpenDialog>(undefined);

  openShareDialog(): void {
    this.dialog = { kind: 'share' };
  }

  openAddContactDialog(initialLink = ''): void {
    this.dialog = { kind: 'add-contact', initialLink };
  }

  openCreateGroupDialog(): void {
    this.dialog = { kind: 'create-group' };
  }

  openJoinGroupDialog(link: string): void {
    this.dialog = { kind: 'join-group', link };
  }

  /** Asks which chat the text, and any files, that another app shared should go to. */
  openShareTargetDialog(text: string, sharedFiles?: SharedFiles): void {
    this.dialog = { kind: 'share-target', text, ...(sharedFiles && { sharedFiles }) };
  }

  /** Asks for a contact to send the open share to, and offers the share again afterwards. */
  openAddContactForShare(): void {
    if (this.dialog?.kind !== 'share-target') return;

    const { text, sharedFiles } = this.dialog;
    this.dialog = { kind: 'add-contact', initialLink: '', heldShare: { text, ...(sharedFiles && { sharedFiles }) } };
  }

  /**
   * Closes the open dialog. Closing the share dialog deletes the files it offered, if any.
   * Closing the add contact dialog opened from it offers the share again. With `expectedKind`,
   * closes only a dialog of that kind, because a dialog that another one replaced reports its
   * close after the switch.
   */
  closeDialog(expectedKind?: NonNullable<OpenDialog>['kind']): void {
    const dialog = this.dialog;
    if (expectedKind !== undefined && dialog?.kind !== expectedKind) return;

    if (dialog?.kind === 'share-target') void dialog.sharedFiles?.discard();
    if (dialog?.kind === 'add-contact' && dialog.heldShare) {
      this.openShareTargetDialog(dialog.heldShare.text, dialog.heldShare.sharedFiles);
      return;
    }

    this.dialog = undefined;
  }
}
