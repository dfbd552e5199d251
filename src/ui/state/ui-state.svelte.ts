import type { SharedFiles } from './shared-files.svelte.ts';

/**
 * Interface state that storage does not hold, which is the open dialog. Conversation data
 * never lives here, because the screens read it from storage through live queries.
 */

export type OpenDialog =
  | { kind: 'share' }
  | { kind: 'add-contact'; initialLink: string }
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

  /** Closes the open dialog. Closing the share dialog deletes the files it offered, if any. */
  closeDialog(): void {
    if (this.dialog?.kind === 'share-target') void this.dialog.sharedFiles?.discard();
    this.dialog = undefined;
  }
}
