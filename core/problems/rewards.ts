import { defineProblems } from './define.ts';

/** 有奖举报 claims and payouts, and the reporter's rating of a closed report. */
export const rewardProblems = defineProblems({
  'rewards.wrong-claim-code': { status: 403, en: 'The claim code does not match report {code}', zh: '领奖码与报告 {code} 不符' },
  'rewards.none': { status: 404, en: 'Report {code} has earned no reward (only verified public reports do)', zh: '报告 {code} 没有奖励（只有核实属实的群众举报才有）' },
  'rewards.already-claimed': { status: 409, en: 'The reward of report {code} was already claimed', zh: '报告 {code} 的奖励已被申领' },
  'rewards.payee-is-staff': {
    status: 422,
    en: 'The phone {phone} belongs to a staff account: reporting hazards is their duty, so they receive no reward',
    zh: '手机号 {phone} 属于工作人员账号：上报隐患是其职责，不发放奖励',
  },
  'rewards.not-found': { status: 404, en: 'Reward {id} does not exist', zh: '奖励 {id} 不存在' },
  'rewards.not-claimed': { status: 409, en: 'Reward {id} has not been claimed yet: the reporter claims it with the claim code first', zh: '奖励 {id} 尚未申领：须由举报人凭领奖码先申领' },
  'rewards.already-paid': { status: 409, en: 'Reward {id} was already paid on {on}', zh: '奖励 {id} 已于 {on} 发放' },
  'rewards.payee-handled': {
    status: 422,
    en: 'The payee of reward {id} handled report {code} (account {username}): nobody who handled a report receives its reward',
    zh: '奖励 {id} 的领取人办理过报告 {code}（账号 {username}）：办理过报告的人不得领取其奖励',
  },
  'ratings.not-closed': { status: 409, en: 'Report {code} is not closed yet: it can be rated when it is', zh: '报告 {code} 尚未办结，办结后才能评价' },
  'ratings.already-rated': { status: 409, en: 'Report {code} was already rated', zh: '报告 {code} 已评价过' },
});
