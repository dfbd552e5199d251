/** Sentences for the organiser's errors, from the catalog. */

import { JoinLinkError } from '../../core/organiser/join-link.ts';
import { TemplateError } from '../../core/organiser/template.ts';
import { t } from '../i18n/index.ts';
import { describeError } from '../state/error-text.ts';

/** Describes a failed broadcast: template and recipient problems in the catalog's words, anything else as a general failure. */
export function describeBroadcastError(error: unknown): string {
  if (error instanceof TemplateError) {
    switch (error.code) {
      case 'empty':
        return t('broadcast.errorEmpty');
      case 'unknown-placeholder':
        return t('broadcast.errorUnknownPlaceholder', { placeholder: `{${error.placeholder ?? ''}}` });
      case 'unclosed-placeholder':
        return t('broadcast.errorUnclosed');
      case 'too-long':
        return t('broadcast.errorTooLong');
    }
  }
  if (error instanceof RangeError) return t('broadcast.errorNoRecipients');

  return describeError(error, t('broadcast.errorFailed'));
}

/** Describes a join link that could not be used. */
export function describeJoinError(error: unknown): string {
  if (error instanceof JoinLinkError) {
    switch (error.reason) {
      case 'empty':
        return t('join.errorEmpty');
      case 'too-long':
        return t('join.errorTooLong');
      case 'not-a-join-link':
        return t('join.errorNotJoin');
      case 'damaged':
        return t('join.errorDamaged');
      case 'version':
        return t('join.errorVersion');
      case 'altered':
        return t('join.errorAltered');
    }
  }
  if (error instanceof RangeError) return t('join.errorOwn');

  return describeError(error, t('join.errorFailed'));
}
