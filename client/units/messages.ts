import { defineMessages } from '../i18n/define.ts';

export const useUnitMessages = defineMessages({
  'zh-CN': {
    title: '单位与场所',
    none: '该网格内没有登记的单位。',
    select: '选择一个网格查看其中的单位。',
    count: '共 {n} 个',
    showLayer: '在地图上显示单位',
    loading: '加载中…',
  },
  en: {
    title: 'Units and places',
    none: 'No units are filed in this cell.',
    select: 'Select a cell to see its units.',
    count: '{n} in all',
    showLayer: 'Show units on the map',
    loading: 'Loading…',
  },
});
