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

  'search.label': 'Search messages',
  'search.placeholder': 'Search messages',
  'search.resultsLabel': 'Search results',
  'search.none': 'No messages match.',
  'search.count': 'Matching messages: {count}',
  'search.countNewest': 'Matching messages: {count}. The newest {shown} are shown.',
  'search.failed': 'Search did not work. Try again.',
  'search.you': 'You',

  'chat.edited': 'edited',
  'chat.deleted': 'This message was deleted.',
  'chat.deletedOwn': 'You deleted this message.',
  'messageMenu.label': 'Message actions',
  'messageMenu.edit': 'Edit',
  'messageMenu.deleteForMe': 'Delete for me',
  'messageMenu.deleteForEveryone': 'Delete for everyone',
  'messageMenu.editTitle': 'Edit message',
  'messageMenu.editLabel': 'Message text',
  'messageMenu.deleteForMeTitle': 'Delete for me?',
  'messageMenu.deleteForMeBody': 'The message disappears from this device. The other person keeps their copy.',
  'messageMenu.deleteForEveryoneTitle': 'Delete for everyone?',
  'messageMenu.deleteForEveryoneBody':
    'The text is removed here and, as soon as the message reaches them, on the other person\'s device too. They see that a message was deleted.',
  'messageMenu.save': 'Save',
  'messageMenu.delete': 'Delete',
  'messageMenu.cancel': 'Cancel',
  'messageMenu.failed': 'That did not work. Try again.',

  'chat.typing': 'typing…',
  'chat.lastSeen': 'last seen {time}',
  'privacy.title': 'Privacy',
  'privacy.presence': 'Show when contacts are online and when they were last seen',
  'privacy.typing': 'Send and show typing indicators',
  'privacy.typingHint': 'When this is off, contacts do not see when you type, and you do not see when they do.',

  'title.unread': '({count}) Meshtext',
  'notification.requestTitle': 'Message request from {name}',

  'appSettings.title': 'This device',
  'appSettings.installTitle': 'Install',
  'appSettings.install': 'Install Meshtext',
  'appSettings.installHint': 'Installed, Meshtext opens in its own window and starts without a network connection.',
  'appSettings.installed': 'Meshtext is installed on this device.',
  'appSettings.installIos':
    'To install Meshtext, tap the Share button in Safari, then "Add to Home Screen", then "Add".',
  'appSettings.installMenu': 'To install Meshtext, look for "Install app" or "Add to Home screen" in your browser\'s menu.',
  'appSettings.notificationsLabel': 'Notify me of new messages while Meshtext is in the background',
  'appSettings.notificationsDenied':
    'Your browser blocks notifications from Meshtext. You can allow them in the site settings of your browser.',
  'appSettings.notificationsUnsupported': 'This browser cannot show notifications.',
  'appSettings.storageTitle': 'Storage',
  'appSettings.storageUsage': '{usage} used of {quota} available to Meshtext.',
  'appSettings.storagePersisted': 'The browser keeps Meshtext\'s data even when space runs low.',
  'appSettings.storageNotPersisted':
    'The browser may delete Meshtext\'s data when space runs low. Installing Meshtext makes this less likely. Keep a backup.',
  'appSettings.build': 'Build {build}',

  'shareTarget.title': 'Send to…',
  'shareTarget.chooseLabel': 'Contacts',
  'shareTarget.noContacts': 'Add a contact first. Then share again to send this to them.',
  'shareTarget.cancel': 'Cancel',

  'notificationOffer.label': 'Notifications',
  'notificationOffer.text': 'Get a notification when a reply arrives while Meshtext is in the background?',
  'notificationOffer.turnOn': 'Turn on',
  'notificationOffer.dismiss': 'Not now',

  'storageLost.title': "Meshtext's data on this device was deleted",
  'storageLost.body':
    'The browser deleted the storage of Meshtext while it was open, and with it your identity, contacts and messages. Browsers do this when the device runs low on space or when site data is cleared.',
  'storageLost.hint': 'Start again to create a new identity, or to restore one from a backup.',
  'storageLost.restart': 'Start again',
  'onboarding.dataLost':
    'Your earlier identity, contacts and messages are no longer on this device. The browser probably deleted them to free space. Restore them from a backup, or create a new identity.',

  'carry.title': 'Carrying messages',
  'carry.label': 'Carry messages for my contacts',
  'carry.hint':
    'When a contact cannot reach another of your contacts, Meshtext on this device keeps their encrypted message and hands it over when you meet that person. You cannot read it. It uses up to 2 MB per contact and is deleted after 14 days.',
  'carry.saveFailed': 'The setting could not be saved. Try again.',
} as const;

export type MessageKey = keyof typeof messages;
