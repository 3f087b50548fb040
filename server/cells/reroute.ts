import type { Queryable } from '../db/db.ts';

/**
 * Called inside the transaction of every boundary change, with the cells whose ground changed
 * (and those about to be deleted). Points filed in cells — units, reports — are re-routed here so
 * they always sit in the smallest cell that contains them.
 */
export async function afterCellsChanged(_q: Queryable, _changed: number[], _deleting: number[] = []): Promise<void> {}
