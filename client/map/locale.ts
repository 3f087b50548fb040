import type { Map as MaplibreMap } from 'maplibre-gl';
import type { Lang } from '../i18n/lang.ts';

/** MapLibre's own UI strings (control tooltips, scale units) in Chinese; English is its default. */
const ZH: Record<string, string> = {
  'AttributionControl.ToggleAttribution': '显示或隐藏版权信息',
  'AttributionControl.MapFeedback': '地图反馈',
  'FullscreenControl.Enter': '全屏',
  'FullscreenControl.Exit': '退出全屏',
  'GeolocateControl.FindMyLocation': '定位到我的位置',
  'GeolocateControl.LocationNotAvailable': '无法获取位置',
  'LogoControl.Title': 'MapLibre 标志',
  'Map.Title': '地图',
  'Marker.Title': '地图标记',
  'NavigationControl.ResetBearing': '拖动旋转地图，点击恢复正北',
  'NavigationControl.ZoomIn': '放大',
  'NavigationControl.ZoomOut': '缩小',
  'Popup.Close': '关闭',
  'ScaleControl.Feet': '英尺',
  'ScaleControl.Meters': '米',
  'ScaleControl.Kilometers': '千米',
  'ScaleControl.Miles': '英里',
  'ScaleControl.NauticalMiles': '海里',
  'CooperativeGesturesHandler.WindowsHelpText': '按住 Ctrl 并滚动以缩放地图',
  'CooperativeGesturesHandler.MacHelpText': '按住 ⌘ 并滚动以缩放地图',
  'CooperativeGesturesHandler.MobileHelpText': '用两根手指移动地图',
};

const EN: Record<string, string> = {
  'AttributionControl.ToggleAttribution': 'Toggle attribution',
  'NavigationControl.ResetBearing': 'Drag to rotate map, click to reset north',
  'NavigationControl.ZoomIn': 'Zoom in',
  'NavigationControl.ZoomOut': 'Zoom out',
  'ScaleControl.Meters': 'm',
  'ScaleControl.Kilometers': 'km',
};

export const mapLocale = (lang: Lang): Record<string, string> => (lang === 'zh-CN' ? ZH : EN);

const BUTTONS: [string, string][] = [
  ['.maplibregl-ctrl-zoom-in', 'NavigationControl.ZoomIn'],
  ['.maplibregl-ctrl-zoom-out', 'NavigationControl.ZoomOut'],
  ['.maplibregl-ctrl-compass', 'NavigationControl.ResetBearing'],
  ['.maplibregl-ctrl-attrib-button', 'AttributionControl.ToggleAttribution'],
];

/**
 * Switches a live map's UI strings. MapLibre reads its locale when a control is made and when the
 * scale redraws, and has no setter: replace the table it reads and relabel the buttons made already.
 */
export function relabelMap(map: MaplibreMap, lang: Lang) {
  const table = { ...map._locale, ...mapLocale(lang) };
  map._locale = table;
  const root = map.getContainer();
  for (const [selector, key] of BUTTONS) {
    root.querySelectorAll<HTMLElement>(selector).forEach((el) => {
      el.title = table[key]!;
      el.setAttribute('aria-label', table[key]!);
    });
  }
  map.triggerRepaint();
}
