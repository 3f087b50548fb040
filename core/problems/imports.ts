import { defineProblems } from './define.ts';

/** Importing boundary files: what is refused and which limit it broke. */
export const importProblems = defineProblems({
  'imports.not-multipart': { status: 415, en: 'Send the file as multipart/form-data in a field named "file"', zh: '请以 multipart/form-data 上传文件，字段名为 "file"' },
  'imports.no-file': { status: 422, en: 'No file: send it in the multipart field "file"', zh: '没有文件：请在字段 "file" 中上传' },
  'imports.wrong-field': { status: 422, en: 'Send the file in the field "file", not "{field}"', zh: '请在字段 "file" 中上传文件，而不是 "{field}"' },
  'imports.bad-epsg': { status: 422, en: 'epsg "{value}" is not an EPSG code', zh: 'epsg "{value}" 不是 EPSG 代码' },
  'imports.file-too-large': { status: 413, en: 'The file is larger than {limitMb} MB', zh: '文件超过 {limitMb} MB' },
  'imports.too-many-parts': { status: 413, en: 'Send one file and at most a few fields', zh: '请只上传一个文件和少量字段' },
  'imports.unreadable': { status: 422, en: '{file}: {reason}', zh: '{file}：无法读取（{reason}）' },
  'imports.archive-too-large': { status: 413, en: '{file}: {reason}', zh: '{file}：压缩包超出上限（{reason}）' },
  'imports.limit': {
    status: 413,
    en: '{file}: the file is over the import limit of {limit} {what} ({found}); split it and import the parts',
    zh: '{file}：超出导入上限 {limit} 个{what}（文件中有 {found}），请拆分后分批导入',
  },
  'imports.too-slow': {
    status: 422,
    en: '{file}: reading the file took longer than {seconds} s and was stopped (a damaged or hostile file, e.g. a recursive view)',
    zh: '{file}：读取超过 {seconds} 秒已中止（文件损坏或含恶意内容，例如递归视图）',
  },
  'imports.gpkg-view': {
    status: 422,
    en: '{file}: "{table}" is a view, not a table; Wangge reads GeoPackage feature tables only',
    zh: '{file}："{table}" 是视图而不是表；只读取 GeoPackage 的要素表',
  },
  'imports.echarts-encoding': {
    status: 422,
    en: '{file}: the ECharts compressed encoding ("UTF8Encoding") could not be decoded: {reason}',
    zh: '{file}：无法解码 ECharts 压缩格式（"UTF8Encoding"）：{reason}',
  },
  'imports.not-found': { status: 404, en: 'Import {id} does not exist', zh: '导入 {id} 不存在' },
  'imports.already-committed': { status: 409, en: 'This file was already imported (cells {ids})', zh: '该文件已导入（网格 {ids}）' },
  'imports.refused': {
    status: 422,
    en: 'Nothing was imported: {count} problems in {file}. Fix them, change the mapping or leave the features out.',
    zh: '未导入任何网格：{file} 中有 {count} 个问题。请修正、调整字段对应或排除这些要素。',
  },
  'imports.changed-meanwhile': {
    status: 409,
    en: 'Nothing was imported: the parent cells {ids} were changed while the file was checked; check it again and commit',
    zh: '未导入任何网格：检查期间上级网格 {ids} 已被修改，请重新检查后再提交',
  },
  'imports.checked-meanwhile': {
    status: 409,
    en: 'Nothing was imported: the file was checked again with other options meanwhile; commit again',
    zh: '未导入任何网格：期间该文件已按其他选项重新检查，请再次提交',
  },
  'imports.nothing': { status: 422, en: 'Nothing to import: every feature is left out', zh: '没有可导入的内容：所有要素都被排除了' },
  'imports.feature-refused': { status: 422, en: 'Nothing was imported: feature {feature} ({name}): {reason}', zh: '未导入任何网格：要素 {feature}（{name}）：{reason}' },
});
