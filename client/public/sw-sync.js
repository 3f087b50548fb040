/* global self */
/* Background Sync for the outbox (imported by the Workbox service worker). The queue lives in the
   page's IndexedDB and is sent by the page (it holds the session's CSRF token): when the browser
   says the network is back, the worker wakes the open pages to send it. */
self.addEventListener('sync', (event) => {
  if (event.tag !== 'wangge-outbox') return;
  event.waitUntil(self.clients.matchAll({ type: 'window', includeUncontrolled: true })
    .then((clients) => clients.forEach((client) => client.postMessage({ type: 'wangge-outbox-sync' }))));
});
