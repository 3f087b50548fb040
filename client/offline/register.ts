import { registerSW } from 'virtual:pwa-register';

/** The service worker (the offline shell and the kept answers), registered once a staff member is signed in. */
registerSW({ immediate: true });
