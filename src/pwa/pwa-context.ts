/**
 * The installed-app services (updates, install, notifications, storage), created once in
 * main.ts and handed to components through Svelte context.
 */

import { getContext, setContext } from 'svelte';
import type { InstallPrompt } from './install-prompt.svelte.ts';
import type { NotificationSettings } from './notification-settings.svelte.ts';
import type { ServiceWorkerUpdate } from './service-worker-update.svelte.ts';
import type { StorageStatus } from './storage-status.svelte.ts';

export interface PwaServices {
  update: ServiceWorkerUpdate;
  install: InstallPrompt;
  notifications: NotificationSettings;
  storage: StorageStatus;
}

const CONTEXT_KEY = Symbol('meshtext-pwa');

export function setPwaContext(services: PwaServices): void {
  setContext(CONTEXT_KEY, services);
}

/** Returns the services that App.svelte put into context. */
export function getPwaContext(): PwaServices {
  const services = getContext<PwaServices | undefined>(CONTEXT_KEY);
  if (!services) throw new Error('PWA services missing from context; App.svelte sets them');

  return services;
}
