/**
 * Every user-facing string of the interface, in English. A translation is a copy of this
 * object with the same keys. `{name}` style placeholders are filled in by `t()`.
 */
export const messages = {
  'app.name': 'Meshtext',

  'loading.text': 'Opening Meshtext…',

  'storageUnavailable.title': 'Meshtext cannot save anything here',
  'storageUnavailable.body':
    'This browser does not let Meshtext use local storage, so nothing can be saved: not your identity, your contacts or your messages. Private browsing or a site setting that blocks site data usually causes this.',
  'storageUnavailable.hint': 'Open Meshtext in a normal window, or allow site data for it, then reload.',
  'storageUnavailable.reload': 'Reload',

  'onboarding.title': 'Welcome to Meshtext',
  'onboarding.intro':
    'Chat directly with the people you invite. Messages are end-to-end encrypted and stored only on your devices.',
  'onboarding.nameLabel': 'Display name',
  'onboarding.nameHint': 'The people you invite see this name. You can choose any name.',
  'onboarding.submit': 'Create my identity',
  'onboarding.inviteWaiting': 'You opened an invite link. Create your identity first, then you can save the contact who sent it.',
  'onboarding.errorNameEmpty': 'Enter a display name.',
  'onboarding.errorFailed': 'Your identity could not be saved. Try again.',

  'connection.label': 'Connection',
  'connection.online': 'Online',
  'connection.connecting': 'Connecting',
  'connection.offline': 'Offline',

  'main.otherTab': 'Meshtext is also open in another tab, which sends and receives your messages. This tab shows the same conversations.',

  'actions.shareInvite': 'Share my invite',
  'actions.addContact': 'Add contact',

  'shareDialog.title': 'Your invite',
  'shareDialog.body':
    'Send this link to the person you want to chat with, by email or any messenger. It carries only your name and public keys, no secrets, so it is safe to send.',
  'shareDialog.linkLabel': 'Your invite link',
  'shareDialog.copy': 'Copy link',
  'shareDialog.copied': 'Link copied.',
  'shareDialog.copyFailed': 'Select and copy the link.',
  'shareDialog.close': 'Close',

  'addDialog.title': 'Add contact',
  'addDialog.body': 'Paste the invite link that someone sent you.',
  'addDialog.linkLabel': 'Invite link',
  'addDialog.submit': 'Save contact',
  'addDialog.cancel': 'Cancel',
  'addDialog.errorEmpty': 'Paste an invite link first.',
  'addDialog.errorFailed': 'The contact could not be saved. Try again.',

  'conversations.label': 'Conversations',
  'conversations.emptyTitle': 'No conversations yet',
  'conversations.emptyBody': 'Share your invite with someone, or add a contact from an invite link they sent you.',
  'conversations.request': 'Request',
  'conversations.unread': '{count} unread',

  'chat.back': 'Back to conversations',
  'chat.noneOpen': 'Choose a conversation, or share your invite to start one.',
  'chat.missingContact': 'This conversation is no longer available.',
  'chat.requestText': '{name} wants to message you',
  'chat.requestHint': 'Accept to reply. Block to drop everything {name} sends from now on.',
  'chat.accept': 'Accept',
  'chat.block': 'Block',
  'chat.actionFailed': 'That did not work. Try again.',
  'chat.wrongKey':
    "Someone answered at {name}'s address with a different key. Messages stay queued until {name} is reachable.",
  'chat.messagesLabel': 'Messages',
  'chat.presenceLabel': 'Contact status',
  'chat.reachable': 'Online',
  'chat.unreachable': 'Offline',
  'chat.empty': 'No messages yet. Say hello.',
  'chat.ownMessage': 'You:',
  'chat.theirMessage': '{name}:',

  'status.queued': 'Queued',
  'status.sent': 'Sent',
  'status.delivered': 'Delivered',

  'composer.label': 'Message',
  'composer.placeholder': 'Write a message',
  'composer.send': 'Send',
  'composer.errorFailed': 'The message could not be saved. Try again.',

  'update.text': 'Update available',
  'update.reload': 'Reload',
  'update.dismiss': 'Later',
} as const;

export type MessageKey = keyof typeof messages;
