import { registerSW } from 'virtual:pwa-register';
import { startOutbox } from './outbox.ts';

/** Loaded after the first paint: the service worker (offline shell) and the outbox. */
registerSW({ immediate: true });
startOutbox();
