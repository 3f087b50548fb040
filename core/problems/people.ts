import { defineProblems } from './define.ts';

/** People, their phones and their assignments to cells. */
export const peopleProblems = defineProblems({
  'people.not-found': { status: 404, en: 'Person {id} does not exist', zh: '人员 {id} 不存在' },
  'people.photo-not-found': { status: 404, en: 'Person {id} has no photo to show', zh: '人员 {id} 没有可显示的照片' },
  'people.cell-not-found': { status: 404, en: 'Cell {id} does not exist', zh: '网格 {id} 不存在' },
  'people.no-cell-at-point': { status: 404, en: 'No cell contains the point ({lon}, {lat})', zh: '没有网格包含点（{lon}, {lat}）' },
  'people.phone-invalid': { status: 422, en: '"{phone}" is not a phone number: use digits, optionally with a leading + and spaces or dashes', zh: '“{phone}”不是电话号码：请使用数字，可带前导 + 以及空格或短横线' },
  'people.phone-taken': { status: 409, en: 'The phone {phone} already belongs to person {personId} ({name})', zh: '电话 {phone} 已属于人员 {personId}（{name}）' },
  'people.out-of-scope': { status: 403, en: 'Person {id} ({name}) is also responsible for cells outside your scope ({cells})', zh: '人员 {id}（{name}）还负责你管辖范围以外的网格（{cells}）' },
  'people.if-match-required': { status: 428, en: 'Send the person version you edited as If-Match (the ETag of GET /api/people/:id)', zh: '请在 If-Match 中附上所编辑的人员版本号（GET /api/people/:id 的 ETag）' },
  'people.if-match-invalid': { status: 400, en: 'If-Match "{value}" is not a version', zh: 'If-Match“{value}”不是版本号' },
  'people.version-conflict': { status: 409, en: 'Person {id} was changed by someone else: you edited version {expected}, it is now version {current}', zh: '人员 {id} 已被他人修改：你编辑的是第 {expected} 版，现在是第 {current} 版' },
  'people.still-responsible': { status: 409, en: 'Person {id} ({name}) is responsible for {count} cell(s) ({cells}): remove those assignments first', zh: '人员 {id}（{name}）仍负责 {count} 个网格（{cells}），请先解除这些分工' },
  'people.assignments-invalid': { status: 422, en: 'The assignments are invalid: {summary}', zh: '分工不正确：{summary}' },
  'people.role-rules': { status: 422, en: '{summary}', zh: '分工不符合岗位规则：{summary}' },
});

/** CSV files of people and units (the shared reader in server/people/csv.ts) and people imports. */
export const csvProblems = defineProblems({
  'csv.invalid': { status: 422, en: 'The file is not valid CSV: {reason}', zh: '文件不是有效的 CSV：{reason}' },
  'csv.empty': { status: 422, en: 'The CSV file is empty: it needs a header row and at least one row', zh: 'CSV 文件为空：需要表头行和至少一行数据' },
  'csv.columns-missing': { status: 422, en: 'The CSV header lacks the column(s) {columns} (found: {found})', zh: 'CSV 表头缺少列：{columns}（现有：{found}）' },
  'csv.no-rows': { status: 422, en: 'The CSV file has a header but no rows', zh: 'CSV 文件只有表头，没有数据行' },
  'people.row-cell-empty': { status: 422, en: 'the cell code is empty', zh: '网格编码为空' },
  'people.row-cell-unknown': { status: 422, en: 'no cell has the code {code}', zh: '没有编码为 {code} 的网格' },
  'people.row-cell-out-of-scope': { status: 422, en: 'cell {code} is outside your scope', zh: '网格 {code} 不在你的管辖范围内' },
  'people.row-name-empty': { status: 422, en: 'the person name is empty', zh: '姓名为空' },
  'people.row-role-unknown': { status: 422, en: 'unknown role "{role}": use one of {roles}', zh: '未知的岗位“{role}”：请使用 {roles} 之一' },
  'people.row-phone-invalid': { status: 422, en: '"{phone}" is not a phone number', zh: '“{phone}”不是电话号码' },
  'people.row-phone-empty': { status: 422, en: 'the phone is empty: people are matched by phone', zh: '电话为空：人员按电话号码识别' },
  'people.row-phone-other-name': { status: 422, en: 'the phone {phone} belongs to {known}{which}, not {name}', zh: '电话 {phone} 属于{known}{which}，而不是{name}' },
  'people.row-phone-unknown': { status: 422, en: 'no person has the phone {phone}, and your role may not add people', zh: '没有人员使用电话 {phone}，而你的角色无权新增人员' },
  'people.row-role-full': { status: 422, en: 'At most {max} {roleName} ({role}) per cell: cell {code} would have {n}', zh: '每个网格最多 {max} 名{roleName}（{role}）：网格 {code} 将有 {n} 名' },
  'people.import-invalid-rows': { status: 422, en: '{invalid} of {rows} rows are invalid; nothing was imported (fix them, or import with skipInvalid to skip them)', zh: '{rows} 行中有 {invalid} 行不正确，未导入任何数据（请改正，或用 skipInvalid 跳过这些行）' },
});
