import { defineProblems } from './define.ts';

/** The search box and "which grid am I in". */
export const searchProblems = defineProblems({
  'search.no-cell-at': { status: 404, en: 'No cell contains the point ({lon}, {lat})', zh: '该位置（{lon}，{lat}）不在任何网格内' },
});
