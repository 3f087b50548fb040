import { prewarm, setWorkerUrl } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';

// MapLibre looks for its worker next to its own module, which a bundle does not keep; point it at
// the copy Vite emits as an asset.
setWorkerUrl(workerUrl);
// Start the workers (and the download of their script) now, not when the map is made after the
// client configuration has arrived: the first tiles are then decoded without waiting for them.
prewarm();
