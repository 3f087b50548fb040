import { setWorkerUrl } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';

// MapLibre looks for its worker next to its own module, which a bundle does not keep; point it at
// the copy Vite emits as an asset.
setWorkerUrl(workerUrl);
