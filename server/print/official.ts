/**
 * The typefaces of the office's printed documents (月报, 预警通知书, 考评通报): 仿宋 for the text and
 * 黑体 for titles, as official documents use, with the Noto CJK fonts where those are not installed.
 */
export const OFFICIAL_BODY_FONT = '"FangSong", "STFangsong", "Noto Serif CJK SC", "Noto Sans CJK SC", "Microsoft YaHei", serif';
export const OFFICIAL_TITLE_FONT = '"SimHei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif';
