/**
 * Sends what another app shared into one chat: each file through the file transfer, then the
 * shared text as a message after them. A file that cannot be sent is named in the returned
 * problems and the others are still sent.
 */

import { FileTooLargeError } from '../../core/transfer/transfer-errors.ts';
import { MAX_FILE_BYTES } from '../../core/files/file-meta.ts';
import type { SharedFile } from '../../pwa/share-inbox.ts';
import { t } from '../i18n/index.ts';
import { describeError } from './error-text.ts';
import { formatFileSize } from './format-size.ts';

/** The part of the app that sending a share needs. */
export interface ShareSender {
  sendFile(conversation: string, file: File): Promise<void>;
  sendText(conversation: string, text: string): Promise<void>;
}

/** Sends the files, then the text unless it is empty. Returns one sentence per item not sent. */
export async function sendSharedFiles(sender: ShareSender, conversation: string, files: SharedFile[], text: string): Promise<string[]> {
  const problems: string[] = [];

  for (const file of files) {
    const problem = await sendOneFile(sender, conversation, file);
    if (problem) problems.push(problem);
  }

  if (text.trim() === '') return problems;

  try {
    await sender.sendText(conversation, text);
  } catch (error) {
    problems.push(describeError(error, t('shareTarget.textFailed')));
  }

  return problems;
}

async function sendOneFile(sender: ShareSender, conversation: string, file: SharedFile): Promise<string | undefined> {
  const name = file.name || t('shareTarget.unnamedFile');

  if (!file.body || file.sizeBytes > MAX_FILE_BYTES) return tooLarge(name, file.sizeBytes);

  if (file.sizeBytes === 0) return t('files.empty', { name });

  try {
    await sender.sendFile(conversation, new File([file.body], name, { type: file.type }));
  } catch (error) {
    if (error instanceof FileTooLargeError) return tooLarge(name, error.sizeBytes);

    return describeError(error, t('shareTarget.fileFailed', { name }));
  }

  return undefined;
}

function tooLarge(name: string, sizeBytes: number): string {
  return t('files.tooLarge', { name, size: formatFileSize(sizeBytes), max: formatFileSize(MAX_FILE_BYTES) });
}
