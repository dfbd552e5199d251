/**
 * The organiser screen that fills the main pane instead of a chat: the broadcast composer, a
 * broadcast's report, or the lists. Like the open dialog, it is interface state only.
 */

export type OrganiserScreen = { kind: 'compose' } | { kind: 'broadcast'; id: string } | { kind: 'lists' } | undefined;

export class OrganiserView {
  screen = $state.raw<OrganiserScreen>(undefined);

  show(screen: OrganiserScreen): void {
    this.screen = screen;
  }

  close(): void {
    this.screen = undefined;
  }
}
