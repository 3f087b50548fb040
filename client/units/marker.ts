import { useEffect, useRef } from 'react';
import { Marker } from 'maplibre-gl';
import { useMap } from '../map/context.tsx';

/** A unit's position being placed or moved: a draggable pin on the map. */
export function useUnitMarker(point: [number, number] | null, onMove: ((p: [number, number]) => void) | null) {
  const map = useMap();
  const marker = useRef<Marker | null>(null);
  const moved = useRef(onMove);
  moved.current = onMove;
  const draggable = onMove !== null;
  useEffect(() => {
    if (!map || !point) {
      marker.current?.remove();
      marker.current = null;
      return;
    }
    if (!marker.current) {
      const el = document.createElement('div');
      el.className = 'unit-marker';
      el.dataset.testid = 'unit-marker';
      marker.current = new Marker({ element: el, anchor: 'bottom' }).setLngLat(point).addTo(map);
      marker.current.on('dragend', () => {
        const ll = marker.current!.getLngLat();
        moved.current?.([ll.lng, ll.lat]);
      });
    } else {
      marker.current.setLngLat(point);
    }
    marker.current.setDraggable(draggable);
  }, [map, point, draggable]);
  useEffect(() => () => {
    marker.current?.remove();
    marker.current = null;
  }, [map]);
}
