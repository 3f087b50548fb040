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
    en: '{file}: the file is over the import limit of {limit} {unit} ({found}); split it and import the parts',
    zh: '{file}：超出导入上限 {limit} {unit}（文件中有 {found}），请拆分后分批导入',
  },
  'imports.too-slow': {
    status: 422,
    en: '{file}: reading the file took longer than {seconds} s and was stopped (a damaged or hostile file, e.g. a recursive view)',
    zh: '{file}：读取超过 {seconds} 秒已中止（文件损坏或含恶意内容，例如递归视图）',
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

/**
 * What the preview of a boundary file says about one feature (server/exchange/import/plan.ts) or the
 * whole file: the English is the `message` the preview always gave, the code and parameters name it
 * for the import dialog to show in the planner's language. Not HTTP answers: the status is that of
 * the commit the problem refuses.
 */
export const importRowProblems = defineProblems({
  'imports.row-no-geometry': { status: 422, en: 'the feature has no geometry', zh: '该要素没有几何图形' },
  'imports.row-not-polygon': { status: 422, en: 'a {type}, not a polygon: cells are areas', zh: '几何类型为 {type}，不是多边形：网格必须是面' },
  'imports.row-coordinates-unconvertible': {
    status: 422, en: 'the coordinates cannot be converted: positions must be arrays of numbers', zh: '无法转换坐标：坐标点须为数字数组',
  },
  'imports.row-geometry-unprocessable': { status: 422, en: 'PostGIS could not process this geometry', zh: 'PostGIS 无法处理该几何图形' },
  'imports.row-code-duplicate': { status: 422, en: 'the code {code} appears twice in the file (also feature {feature})', zh: '编码 {code} 在文件中重复出现（另见第 {feature} 个要素）' },
  'imports.row-code-taken': { status: 409, en: 'the code {code} is taken by the cell {name}', zh: '编码 {code} 已被网格“{name}”使用' },
  'imports.row-code-missing': {
    status: 422, en: 'a level-1 cell needs its code (the 6-digit division code): map the code field', zh: '第 1 级网格需要编码（6 位行政区划代码）：请对应编码字段',
  },
  'imports.row-codes-exhausted': {
    status: 422,
    en: 'no code left under {parent}: a cell has at most {max} children ({digits} digits a level); import the rest under another parent',
    zh: '{parent} 下已无可用编码：每个网格最多 {max} 个下级（每级 {digits} 位）；其余请导入到其他上级网格下',
  },
  'imports.row-name-empty': { status: 422, en: 'the name (field "{field}") is empty', zh: '名称（字段“{field}”）为空' },
  'imports.row-name-too-long': { status: 422, en: 'the name has {length} characters; a cell\'s name has at most {max}', zh: '名称有 {length} 个字符，网格名称最多 {max} 个字符' },
  'imports.row-name-unmapped': { status: 422, en: 'no name: map the field that holds the names', zh: '没有名称：请对应存放名称的字段' },
  'imports.row-parent-not-found': { status: 422, en: 'the parent {parent} is neither in the file nor among the cells', zh: '上级 {parent} 既不在文件中，也不在已有网格中' },
  'imports.row-parent-missing': {
    status: 422, en: 'a level-{level} cell needs a parent: map the parent code field, or choose the parent cell', zh: '第 {level} 级网格需要上级：请对应上级编码字段，或选择上级网格',
  },
  'imports.row-level-not-integer': { status: 422, en: 'the level "{level}" is not a whole number', zh: '层级“{level}”不是整数' },
  'imports.row-level-unknown': { status: 422, en: 'level {level} is not one of the configured levels 1–{max}', zh: '层级 {level} 不在配置的层级 1–{max} 之内' },
  'imports.row-level-misfit': {
    status: 422, en: 'level {level} does not fit under a level-{parentLevel} parent: it must be {expected}', zh: '层级 {level} 与第 {parentLevel} 级上级不符：应为 {expected}',
  },
  'imports.row-outside': { status: 422, en: '{area} lie outside the parent {parent} near {at}', zh: '有 {area} 超出上级网格 {parent}，位置约在 {at}' },
  'imports.row-outside-unmeasured': {
    status: 422, en: 'lies outside the parent {parent} (the part outside could not be measured)', zh: '超出上级网格 {parent}（无法测算超出部分）',
  },
  'imports.row-outside-unchecked': { status: 422, en: 'could not check that the cell lies inside its parent: {reason}', zh: '无法检查网格是否位于上级网格内：{reason}' },
  'imports.row-overlaps': {
    status: 409, en: 'overlaps {count} existing cell(s) of level {level}: {cells}', zh: '与 {count} 个第 {level} 级已有网格重叠：{cells}',
  },
  'imports.row-overlaps-unchecked': { status: 422, en: 'could not check overlaps with existing cells: {reason}', zh: '无法检查与已有网格的重叠：{reason}' },
  'imports.row-scope-top-level': {
    status: 403, en: 'only an admin or a planner of the whole grid can create a top-level cell', zh: '只有管理员或负责整个网格的规划员才能创建顶级网格',
  },
  'imports.row-scope-outside': {
    status: 403, en: 'the parent cell {id} is outside your scope: you work in cells {scope} and below', zh: '上级网格 {id} 不在您的管辖范围内：您负责网格 {scope} 及其下级',
  },
  'imports.file-epsg-unsupported': {
    status: 422,
    en: 'EPSG:{epsg} is not a coordinate system Wangge converts (4326, 4490, 3857, 4491–4554 CGCS2000 Gauss-Krüger, 326xx/327xx UTM)',
    zh: 'EPSG:{epsg} 不是本系统能转换的坐标系（支持 4326、4490、3857、4491–4554 CGCS2000 高斯-克吕格、326xx/327xx UTM）',
  },
  'imports.file-not-lonlat': {
    status: 422,
    en: '{count} of {total} features have coordinates that are not longitude/latitude (e.g. {example}); it was read as {crs}. '
      + 'Choose the coordinate system of the data (e.g. EPSG:4524 for CGCS2000 3-degree Gauss-Krüger zone 36, EPSG:3857 for web Mercator).',
    zh: '{total} 个要素中有 {count} 个的坐标不是经纬度（例如 {example}）；文件按 {crs} 读取。'
      + '请选择数据的坐标系（例如 CGCS2000 3 度带高斯-克吕格第 36 带为 EPSG:4524，Web 墨卡托为 EPSG:3857）。',
  },
  'imports.file-not-lonlat-undeclared': {
    status: 422,
    en: '{count} of {total} features have coordinates that are not longitude/latitude (e.g. {example}); the file does not say its coordinate system, so it was read as WGS 84 longitude/latitude. '
      + 'Choose the coordinate system of the data (e.g. EPSG:4524 for CGCS2000 3-degree Gauss-Krüger zone 36, EPSG:3857 for web Mercator).',
    zh: '{total} 个要素中有 {count} 个的坐标不是经纬度（例如 {example}）；文件未说明坐标系，因此按 WGS 84 经纬度读取。'
      + '请选择数据的坐标系（例如 CGCS2000 3 度带高斯-克吕格第 36 带为 EPSG:4524，Web 墨卡托为 EPSG:3857）。',
  },
  'imports.file-parent-not-found': { status: 404, en: 'The chosen parent cell {id} does not exist', zh: '所选上级网格 {id} 不存在' },
  // Notices: what the reader noticed about the whole file; the file still imports (the status is the one
  // a refusal of the same kind would have).
  'imports.note-crs-unknown': {
    status: 422, en: 'The file names the coordinate system "{name}", which Wangge does not know: choose its EPSG code',
    zh: '文件声明的坐标系 "{name}" 本系统无法识别：请选择数据的 EPSG 代码',
  },
  'imports.note-prj-unreadable': {
    status: 422, en: 'the .prj ("{name}") is not a coordinate system proj4 can read: choose the EPSG code of the data',
    zh: '.prj（"{name}"）不是 proj4 能读取的坐标系：请选择数据的 EPSG 代码',
  },
  'imports.note-cpg-missing-ldid': {
    status: 422, en: 'No {file}.cpg: the attributes were read as {encoding} (from the .dbf language driver (0x{ldid}))',
    zh: '缺少 {file}.cpg：属性按 {encoding} 读取（依据 .dbf 的语言驱动标识 0x{ldid}）',
  },
  'imports.note-cpg-missing-utf8': {
    status: 422, en: 'No {file}.cpg: the attributes were read as UTF-8 (from the text (valid UTF-8))',
    zh: '缺少 {file}.cpg：属性文本是有效的 UTF-8，按 UTF-8 读取',
  },
  'imports.note-cpg-missing-gbk': {
    status: 422, en: 'No {file}.cpg: the attributes were read as GBK (from the text (not UTF-8; read as GBK))',
    zh: '缺少 {file}.cpg：属性文本不是 UTF-8，按 GBK 读取',
  },
  'imports.note-shapefiles-many': {
    status: 422, en: 'The zip holds {count} shapefiles; only {name} was read', zh: '压缩包中有 {count} 个 Shapefile，只读取了 {name}',
  },
  'imports.note-gpkg-tables-many': {
    status: 422, en: 'The GeoPackage holds {count} feature tables; only "{name}" was read', zh: 'GeoPackage 中有 {count} 个要素表，只读取了 "{name}"',
  },
  'imports.note-gpkg-crs-unknown': {
    status: 422, en: "The GeoPackage's coordinate system ({crs}) is not one Wangge knows: choose its EPSG code",
    zh: 'GeoPackage 的坐标系（{crs}）本系统无法识别：请选择数据的 EPSG 代码',
  },
});

/**
 * Why a file cannot be read at all (server/exchange/import/read.ts): the `reason` of imports.unreadable
 * and imports.archive-too-large, given in both languages. Some carry a detail from the archive or
 * XML reader, which stays as the reader said it.
 */
export const importReadProblems = defineProblems({
  'imports.read-empty': { status: 422, en: 'The file is empty', zh: '文件是空的' },
  'imports.read-no-features': { status: 422, en: 'The file holds no features', zh: '文件中没有要素' },
  'imports.read-format': {
    status: 422, en: '"{file}" is not a format Wangge imports: send GeoJSON, a zipped Shapefile, KML/KMZ or a GeoPackage',
    zh: '"{file}" 不是本系统能导入的格式：请上传 GeoJSON、Shapefile 压缩包、KML/KMZ 或 GeoPackage',
  },
  'imports.read-not-json': { status: 422, en: 'The file is not valid JSON (it is cut short, or not JSON at all)', zh: '文件不是有效的 JSON（文件不完整，或根本不是 JSON）' },
  'imports.read-not-geojson': {
    status: 422, en: 'The JSON is not GeoJSON: expected a FeatureCollection, a Feature or a geometry', zh: '该 JSON 不是 GeoJSON：应为 FeatureCollection、Feature 或几何对象',
  },
  'imports.read-echarts': {
    status: 422, en: 'the ECharts compressed encoding ("UTF8Encoding") could not be decoded: {detail}', zh: 'ECharts 压缩编码（"UTF8Encoding"）无法解码：{detail}',
  },
  'imports.read-kml-xml': { status: 422, en: 'The KML is not well-formed XML: {detail}', zh: 'KML 不是格式正确的 XML：{detail}' },
  'imports.read-not-kml': { status: 422, en: 'The XML is not KML (its root element is not <kml>)', zh: '该 XML 不是 KML（根元素不是 <kml>）' },
  'imports.read-dbf-short': { status: 422, en: '{name} is damaged or truncated (shorter than its header)', zh: '{name} 已损坏或不完整（比其文件头还短）' },
  'imports.read-dbf-header': {
    status: 422, en: '{name} is damaged or truncated: its header announces {records} records of {bytes} bytes, more than the file holds',
    zh: '{name} 已损坏或不完整：文件头声明 {records} 条记录、每条 {bytes} 字节，超过文件实际大小',
  },
  'imports.read-damaged': { status: 422, en: '{name} is damaged or truncated', zh: '{name} 已损坏或不完整' },
  'imports.read-shp-no-dbf': {
    status: 422,
    en: 'The zip holds {file}.shp but no {file}.dbf: a shapefile needs its .dbf (the attribute table with the names and codes). Zip the .shp, .shx, .dbf, .prj and .cpg together.',
    zh: '压缩包中有 {file}.shp 但没有 {file}.dbf：Shapefile 需要 .dbf（含名称和编码的属性表）。请将 .shp、.shx、.dbf、.prj 和 .cpg 一起压缩。',
  },
  'imports.read-shp-mismatch': {
    status: 422, en: '{file}.shp has {shapes} shapes but {file}.dbf has {records} records: one of them is damaged or truncated',
    zh: '{file}.shp 有 {shapes} 个图形，但 {file}.dbf 有 {records} 条记录：其中一个已损坏或不完整',
  },
  'imports.read-zip-dbf-only': { status: 422, en: 'The zip holds {name} but no .shp: a shapefile needs its .shp (the shapes)', zh: '压缩包中有 {name} 但没有 .shp：Shapefile 需要 .shp（图形）' },
  'imports.read-zip-nested': {
    status: 422, en: 'The zip holds other archives ({names}), which Wangge does not open: upload the shapefile zip, KMZ or GeoJSON itself',
    zh: '压缩包中还有其他压缩包（{names}），本系统不会打开：请直接上传 Shapefile 压缩包、KMZ 或 GeoJSON',
  },
  'imports.read-zip-nothing': { status: 422, en: 'The zip holds no shapefile, KML or GeoJSON (found: {names})', zh: '压缩包中没有 Shapefile、KML 或 GeoJSON（其中有：{names}）' },
  'imports.read-zip-refused': { status: 413, en: 'The zip is refused: {detail}', zh: '压缩包被拒绝：{detail}' },
  'imports.read-zip-damaged': { status: 422, en: 'The zip file is damaged or truncated: {detail}; upload it again', zh: '压缩包已损坏或不完整：{detail}；请重新上传' },
  'imports.read-zip-unreadable': { status: 422, en: 'The zip file is damaged or truncated; upload it again', zh: '压缩包已损坏或不完整，请重新上传' },
  'imports.read-gpkg-unopenable': { status: 422, en: 'The GeoPackage cannot be opened (not an SQLite database, or damaged)', zh: '无法打开该 GeoPackage（不是 SQLite 数据库，或已损坏）' },
  'imports.read-gpkg-not': {
    status: 422, en: 'The file is not a GeoPackage or is damaged (no gpkg_contents and gpkg_geometry_columns tables)',
    zh: '文件不是 GeoPackage 或已损坏（没有 gpkg_contents 和 gpkg_geometry_columns 表）',
  },
  'imports.read-gpkg-own-view': { status: 422, en: '"{name}" is a view, not a table: a GeoPackage\'s own tables must be tables', zh: '"{name}" 是视图而不是表：GeoPackage 自身的表必须是表' },
  'imports.read-gpkg-no-table': { status: 422, en: 'The GeoPackage holds no feature table', zh: 'GeoPackage 中没有要素表' },
  'imports.read-gpkg-view': { status: 422, en: '"{name}" is a view, not a table; Wangge reads GeoPackage feature tables only', zh: '"{name}" 是视图而不是表；本系统只读取 GeoPackage 的要素表' },
  'imports.read-gpkg-empty': { status: 422, en: 'The table "{name}" is empty', zh: '表 "{name}" 是空的' },
  'imports.read-over-limit': { status: 413, en: 'over the limit of {limit} {unit}', zh: '超出上限 {limit} {unit}' },
});
