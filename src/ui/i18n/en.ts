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
  'chat.nameClaim':
    'This is not the {name} in your contacts: the keys differ. If {name} made a new identity, ask them in person and compare safety numbers.',
  'chat.nameClaimVerified':
    "This is not the {name} in your contacts: the keys differ, and you verified {name}'s keys. This may be someone posing as {name}. Accept it only after {name} has told you in person about a new identity and you have compared safety numbers.",
  'chat.nameClaimConfirm': 'Accept this new identity as a separate contact? It is not the {name} you already have.',
  'chat.nameClaimAccept': 'Accept new identity',
  'chat.nameClaimCancel': 'Cancel',
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

  'profile.open': 'My profile',
  'profile.title': 'My profile',
  'profile.nameLabel': 'Display name',
  'profile.addressLabel': 'Your address',
  'profile.copyAddress': 'Copy address',
  'profile.copied': 'Address copied.',
  'profile.copyFailed': 'Select and copy the address.',
  'profile.fingerprintLabel': 'Your key fingerprint',
  'profile.fingerprintHint': 'Half of every safety number you share with a contact is this number.',
  'profile.qrLabel': 'QR code of your invite link',
  'profile.qrHint': 'Someone who scans this code in Meshtext, under "Add contact", adds you as a contact.',
  'profile.backupTitle': 'Backup',
  'profile.backupHint': 'Save your identity, contacts and messages in a file protected by a passphrase, or restore them from such a file.',
  'profile.backup': 'Back up',
  'profile.restore': 'Restore from backup',
  'profile.close': 'Close',

  'verify.open': 'Verify',
  'verify.badge': 'Verified',
  'verify.title': 'Verify {name}',
  'verify.intro':
    "Compare these numbers with the ones in {name}'s Verify screen, in person or on a call where you recognise their voice. If they are the same, your messages reach {name} and nobody else.",
  'verify.numberLabel': 'Safety number',
  'verify.qrLabel': 'QR code of your safety number with {name}',
  'verify.qrHint': '{name} can scan this code instead of reading the numbers.',
  'verify.scan': 'Scan their code',
  'verify.scanTitle': "Scan {name}'s code",
  'verify.scanHint': "Point the camera at the QR code in {name}'s Verify screen.",
  'verify.typedLabel': 'Or type their numbers',
  'verify.typedHint': 'All 60 digits from their screen. Spaces do not matter.',
  'verify.compare': 'Compare',
  'verify.matched': 'The numbers match. {name} is verified.',
  'verify.mismatch': 'The numbers do not match: {reason}',
  'verify.mismatchNumber':
    "{name}'s device holds different keys than yours does. Do not mark {name} as verified. Ask {name} for a new invite in person.",
  'verify.mismatchPair': "this code belongs to another conversation. Scan the code in {name}'s Verify screen for you.",
  'verify.incomplete': 'Enter all 60 digits of their safety number.',
  'verify.notACode': 'This QR code is not a Meshtext safety number.',
  'verify.verifiedOn': 'You verified {name} on {date}.',
  'verify.notVerified': 'You have not verified {name} yet.',
  'verify.mark': 'Mark as verified',
  'verify.unmark': 'Remove verification',
  'verify.actionFailed': 'That did not work. Try again.',
  'verify.close': 'Close',

  'scan.videoLabel': 'Camera preview',
  'scan.starting': 'Starting the camera…',
  'scan.close': 'Close',
  'scan.unavailableTitle': 'The camera is not available',
  'scan.insecure': 'Browsers allow the camera only on pages opened over HTTPS, and this page was not.',
  'scan.denied': 'Meshtext is not allowed to use the camera. You can allow it in the site settings of your browser.',
  'scan.noCamera': 'No camera was found on this device.',
  'scan.busy': 'Another app is using the camera.',
  'scan.failed': 'The camera could not be started.',
  'scan.pasteInstead': 'Paste the invite link into the box instead.',
  'scan.typeInstead': 'Type the 60 digits from their screen instead.',
  'scan.notInvite': 'This QR code is not a Meshtext invite.',

  'addDialog.scan': 'Scan QR code',
  'addDialog.scanTitle': 'Scan an invite',
  'addDialog.scanHint': "Point the camera at the QR code in the other person's profile.",

  'backup.title': 'Back up',
  'backup.intro':
    'The backup file holds your identity, contacts and messages, encrypted with a passphrase. Anyone who has the file and the passphrase can read your messages and write as you.',
  'backup.passphraseLabel': 'Passphrase',
  'backup.passphraseHint':
    'At least {min} characters. A few unrelated words are easy to remember and hard to guess. Without the passphrase, nobody can open the backup, you included.',
  'backup.repeatLabel': 'Repeat the passphrase',
  'backup.submit': 'Create backup',
  'backup.progressLabel': 'Encrypting the backup',
  'backup.done': 'Saved as {file}. Keep it somewhere safe, away from this device.',
  'backup.errorShort': 'The passphrase needs at least {min} characters.',
  'backup.errorMismatch': 'The two passphrases differ.',
  'backup.errorFailed': 'The backup could not be created. Try again.',
  'backup.cancel': 'Cancel',
  'backup.close': 'Close',

  'restore.title': 'Restore from backup',
  'restore.intro':
    'Choose a Meshtext backup file and enter its passphrase. Use the restored identity on one device at a time.',
  'restore.fileLabel': 'Backup file',
  'restore.passphraseLabel': 'Passphrase',
  'restore.replaceLabel': 'Replace my identity, contacts and messages on this device',
  'restore.replaceHint': 'Everything on this device now is deleted. Back it up first if you still need it.',
  'restore.submit': 'Restore',
  'restore.progressLabel': 'Restoring the backup',
  'restore.reloading': 'Restored. Meshtext is reloading…',
  'restore.errorNoFile': 'Choose a backup file.',
  'restore.errorNoPassphrase': 'Enter the passphrase of the backup.',
  'restore.errorConfirm': 'Confirm that the backup may replace what is on this device.',
  'restore.errorTooLarge': 'This file is too large to be a Meshtext backup.',
  'restore.errorWrongPassphrase': 'The passphrase is wrong, or the file is damaged.',
  'restore.errorNotBackup': 'This file is not a Meshtext backup.',
  'restore.errorVersion': 'This backup comes from a newer version of Meshtext. Update the app, then try again.',
  'restore.errorDamaged': 'The backup file is damaged and cannot be restored.',
  'restore.errorIdentityExists': 'This device already has an identity. Confirm that the backup may replace it.',
  'restore.errorFailed': 'The backup could not be restored, and nothing was changed. Try again.',
  'restore.cancel': 'Cancel',

  'onboarding.restoreHint': 'Moving from another device?',
  'onboarding.restore': 'Restore from backup',

  'chat.waiting': '{count} waiting',

  // Organiser's tools: broadcasts, contact lists, opt-out, block and profiles.
  'status.cancelled': 'Cancelled',
} as const;

export type MessageKey = keyof typeof messages;
