import { defineMessages } from '../i18n/define.ts';

export const useOfflineMessages = defineMessages({
  'zh-CN': {
    'outbox.title': '待发送（{n}）',
    'outbox.offline': '无网络：操作已保存在手机上，恢复网络后自动按顺序发送。',
    'outbox.online': '网络已连接',
    'outbox.sendNow': '立即发送',
    'outbox.queued': '待发送',
    'outbox.sending': '发送中',
    'outbox.refused': '被拒绝',
    'outbox.retry': '重试',
    'outbox.discard': '删除',
    'outbox.discardConfirm': '删除这项未发送的操作？删除后无法恢复。',
    'outbox.doneAt': '操作时间 {time}',
    'outbox.kind.report': '上报隐患',
    'outbox.kind.checkin': '签到',
    'outbox.kind.checklist': '检查表',
    'outbox.kind.finding': '发现隐患',
    'outbox.kind.track': '轨迹点',
    'outbox.kind.finish': '结束巡查',
    'outbox.kind.action': '处置步骤',
    'outbox.advice.default': '请核对后点“重试”，或删除此项后重新操作。',
    'outbox.advice.auth': '登录已失效或账号已停用：请重新登录后点“重试”；账号停用请联系管理员。',
    'outbox.advice.patrol': '该巡查已结束或不属于你：请开始新的巡查后重新签到或上报。',
    'outbox.advice.done': '此操作已在别处完成，无需再做：可删除此项。',
    'outbox.advice.unit': '单位已移动或删除：请与网格管理员核对后重新操作。',
    'outbox.advice.workflow': '报告已被移交、退回或结案：请打开该报告查看当前状态后再处理。',
    'outbox.advice.time': '操作时间不可信（手机时间有误）：请校准手机时间后重试。',
    'map.keeping': '正在保存离线地图：{done}/{total} 块瓦片',
    'map.ready': '离线地图已保存：覆盖你的网格的 {total} 块地图瓦片（缩放级别 {from}–{to}），无信号时也能看到网格边界。',
    'map.partial': '离线地图只保存了 {done}/{total} 块瓦片（网络中断）：有信号时重新打开应用会补齐。',
  },
  en: {
    'outbox.title': 'Waiting to send ({n})',
    'outbox.offline': 'No network: actions are kept on the phone and sent in order when the network returns.',
    'outbox.online': 'Online',
    'outbox.sendNow': 'Send now',
    'outbox.queued': 'waiting',
    'outbox.sending': 'sending',
    'outbox.refused': 'refused',
    'outbox.retry': 'Retry',
    'outbox.discard': 'Discard',
    'outbox.discardConfirm': 'Discard this unsent action? It cannot be undone.',
    'outbox.doneAt': 'done at {time}',
    'outbox.kind.report': 'Report',
    'outbox.kind.checkin': 'Check-in',
    'outbox.kind.checklist': 'Checklist',
    'outbox.kind.finding': 'Finding',
    'outbox.kind.track': 'Track points',
    'outbox.kind.finish': 'Finish patrol',
    'outbox.kind.action': 'Workflow step',
    'outbox.advice.default': 'Check it, then retry, or discard it and do it again.',
    'outbox.advice.auth': 'Signed out or the account was deactivated: sign in again and retry; ask an admin about a deactivated account.',
    'outbox.advice.patrol': 'The patrol has finished or is not yours: start a new patrol and check in or report again.',
    'outbox.advice.done': 'This was already done elsewhere: nothing to do, you may discard it.',
    'outbox.advice.unit': 'The unit was moved or deleted: check with the grid manager, then do it again.',
    'outbox.advice.workflow': 'The report was transferred, returned or closed meanwhile: open it to see where it stands.',
    'outbox.advice.time': 'The time of the action is not believable (the phone\'s clock is wrong): set the clock and retry.',
    'map.keeping': 'Keeping the map for offline use: {done}/{total} tiles',
    'map.ready': 'Offline map kept: {total} tiles of your cells (zooms {from}–{to}); the cell borders show without signal.',
    'map.partial': 'Only {done} of {total} map tiles were kept (the network dropped): open the app again with signal to finish.',
  },
});

type AdviceKey = 'outbox.advice.default' | 'outbox.advice.auth' | 'outbox.advice.patrol' | 'outbox.advice.done' | 'outbox.advice.unit' | 'outbox.advice.workflow' | 'outbox.advice.time';

/** What the worker can do about a refusal, by the problem's code. */
export function adviceFor(code: string | undefined, status: number | undefined): AdviceKey {
  if (status === 401 || code?.startsWith('auth.')) return 'outbox.advice.auth';
  if (code === 'patrols.already-checked-in') return 'outbox.advice.done';
  if (code === 'patrols.finished' || code === 'patrols.not-your-patrol' || code === 'patrols.not-found') return 'outbox.advice.patrol';
  if (code === 'patrols.unit-elsewhere' || code === 'patrols.unit-not-found') return 'outbox.advice.unit';
  if (code?.startsWith('workflow.') || code === 'reports.evidence-closed') return 'outbox.advice.workflow';
  if (code?.startsWith('offline.')) return 'outbox.advice.time';
  return 'outbox.advice.default';
}
