/**
 * Interface state that storage does not hold, which is the open dialog. Conversation data
 * never lives here, because the screens read it from storage through live queries.
 */

export type OpenDialog =
  | { kind: 'share' }
  | { kind: 'add-contact'; initialLink: string }
  | { kind: 'create-group' }
  | { kind: 'join-group'; link: string }
  | { kind: 'share-target'; text: string }
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

  /** Asks which chat the text that another app shared should go to. */
  openShareTargetDialog(text: string): void {
    this.dialog = { kind: 'share-target', text };
  }

  closeDialog(): void {
    this.dialog = undefined;
  }
}
