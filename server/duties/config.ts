/**
 * 五定 (定区域, 定人员, 定职责, 定任务, 定奖惩): the duties, tasks and reward/penalty rules of each
 * grid level. Templates are per level, each item tagged with the domain it serves (fire, environment,
 * work safety, food and drugs, prices); a cell inherits its level's lists until a planner changes
 * them. The default wording follows the grid documents (消防、环境保护、安全生产、食品药品、价格监督
 * 网格化管理方案); a deployment replaces any level's lists in its configuration file.
 */

export type { DutyItem } from '../../core/contracts/duties.ts';
import type { DutyItem } from '../../core/contracts/duties.ts';

export interface LevelDuties {
  duties: DutyItem[];
  tasks: DutyItem[];
  /** 定奖惩: the reward and penalty rules of the level, as text to post. */
  rewardRules: string;
}

export interface DomainConfig {
  code: string;
  zh: string;
  en: string;
}

export interface DutiesConfig {
  domains: DomainConfig[];
  /** By level number; a level without a template has empty lists. */
  templates: Record<number, LevelDuties>;
}

export interface BoardConfig {
  /** The supervision hotline (监督电话) printed on every board. */
  hotline: string;
  /** Who answers it, printed beside the number. */
  hotlineName: string;
}

export const DEFAULT_DOMAINS: DomainConfig[] = [
  { code: 'general', zh: '综合', en: 'General' },
  { code: 'fire', zh: '消防', en: 'Fire safety' },
  { code: 'environment', zh: '环境', en: 'Environment' },
  { code: 'work_safety', zh: '安全生产', en: 'Work safety' },
  { code: 'food_drug', zh: '食品药品', en: 'Food and drugs' },
  { code: 'price', zh: '价格', en: 'Prices' },
];

const d = (domain: string, text: string): DutyItem => ({ domain, text });

/** Levels 1–5 as the default levels (区, 街道, 社区, 片区, 楼院). */
export const DEFAULT_TEMPLATES: Record<number, LevelDuties> = {
  1: {
    duties: [
      d('general', '负责辖区网格化管理体系的建立和运行，制定实施方案，明确相关部门监管职责'),
      d('fire', '落实消防安全行政首长负责制，每季度召开消防安全工作联席会议，研究并协调解决重大问题'),
      d('environment', '组织有关部门联合执法，解决突出环境问题，组织实施环境保护目标责任制'),
      d('work_safety', '统筹辖区安全生产监督管理，建立部门联动机制，严防生产安全事故'),
      d('food_drug', '完善区、乡（街道）、村（社区）三级食品药品监管网络，建立群防联治制度'),
      d('price', '建立健全价格监督服务网络，保持物价总水平基本稳定，应对价格突发事件'),
    ],
    tasks: [
      d('general', '制定考评细则，对二级网格建设及运行情况进行考评'),
      d('fire', '建立重点单位基础数据库并实施重点监控，每季度组织开展消防安全大检查'),
      d('environment', '定期召开专题会议，分析重点环境问题，下达工作任务'),
      d('food_drug', '向社会公布举报电话，及时发现并查处食品药品违法违规行为'),
    ],
    rewardRules: '对二级网格运行情况进行监督检查、通报；工作职责落实不到位的，予以通报批评并纳入年度考评；发生责任事故的，实施责任倒查和追究。',
  },
  2: {
    duties: [
      d('general', '负责辖区网格化管理的具体实施和协调，将网格化管理列入日常工作内容，做到有部署、有检查、有总结'),
      d('fire', '负责辖区内所有终端网格节点消防安全基本情况的调查摸底，层层落实工作责任'),
      d('environment', '配合调查处理本行政区域内环境污染纠纷和各类环境污染问题，协助开展环境污染隐患排查'),
      d('work_safety', '负责职责范围内的安全生产监督管理工作'),
      d('food_drug', '明确分管领导和专兼职协管员，开展食品药品日常监管和突击检查'),
      d('price', '价格监督服务站负责辖区价格监督，机构工作职责和价格监督网络公示上墙'),
    ],
    tasks: [
      d('general', '划分下级网格，制定考评细则，对三级网格建设及运行情况进行考评'),
      d('environment', '每月至少开展1次环境保护巡查，做好现场检查记录和检查台帐'),
      d('general', '定期向上级报告辖区内监管情况，重要情况随时报告'),
      d('price', '每年组织一至二次义务价格监督员的价格业务培训'),
    ],
    rewardRules: '工作职责、内容、要求落实不到位的，对相关责任人予以通报批评；发现问题未及时报告的，纳入年度考评。',
  },
  3: {
    duties: [
      d('general', '社区（村）主任为本网格第一责任人，负责本社区网格化管理的业务指导、工作部署和督查检查'),
      d('fire', '建立网格内各终端节点的消防安全管理数据库，检查、督促终端节点落实消防安全管理'),
      d('environment', '协助对辖区内的污染源进行摸底排查，建立污染源基础数据库，做到全面、准确'),
      d('work_safety', '组织开展烟花爆竹、交通、建筑、燃气、危险化学品等行业安全监督和隐患排查'),
      d('food_drug', '信息员按职责开展食品药品监督工作，认真做好工作记录'),
      d('price', '义务价格监督员收集价格信息，受理价格举报投诉'),
    ],
    tasks: [
      d('environment', '每月至少进行2次现场检查，填写巡查情况汇总表，按时报送'),
      d('general', '对辖区内的问题及时调处，防止发生越级上访事件'),
      d('general', '加强宣传教育，发动居民、企事业单位共同参与'),
    ],
    rewardRules: '发现并查实的隐患按规定给予奖励；未履行或不正确履行监管责任的，严格按照相关规定进行问责。',
  },
  4: {
    duties: [
      d('general', '网格管理员为网格管理第一责任人，负责落实各项工作安排和本网格日常隐患排查整改工作的管理'),
      d('work_safety', '负责排查网格内的安全生产、生活隐患，及时了解网格内的生产经营活动情况并及时上报'),
      d('fire', '负责网格内小型加工厂、经营场所的安全检查，消除辖区内火灾隐患'),
      d('general', '负责收集各类社情、舆情信息，并及时上报，定期研判'),
      d('general', '负责网格内的出租房屋和重点对象管理服务工作'),
    ],
    tasks: [
      d('general', '按巡查计划巡查网格，发现问题第一时间上报'),
      d('fire', '发放居民家庭防火宣传单，提醒居民及时举报火灾隐患'),
      d('general', '通讯工具保持24小时畅通'),
    ],
    rewardRules: '发现并查实的隐患每条奖励50元，重大隐患奖励300元；警告累计3次约谈，累计5次调整出网格。',
  },
  5: {
    duties: [
      d('general', '明确本楼院及相关人员的安全责任，将责任落实到具体人头'),
      d('fire', '物业管理部门（业主单位）建立消防安全管理制度，保障疏散通道、安全出口畅通'),
      d('general', '负责组织居民小组长开展宣传和群防群治工作'),
    ],
    tasks: [
      d('fire', '每日巡查楼道、疏散通道和消防设施'),
      d('general', '发现隐患及时报告网格管理员'),
    ],
    rewardRules: '发现并查实的隐患每条奖励50元，重大隐患奖励300元。',
  },
};

type LevelFile = Partial<LevelDuties>;
export interface DutiesFile {
  domains?: DomainConfig[];
  /** By level ("1", "2" …): a given list replaces the default one of that level. */
  templates?: Record<string, LevelFile>;
}

export function dutiesConfig(file: DutiesFile = {}): DutiesConfig {
  const templates: Record<number, LevelDuties> = structuredClone(DEFAULT_TEMPLATES);
  for (const [level, t] of Object.entries(file.templates ?? {})) {
    const n = Number(level);
    const base = templates[n] ?? { duties: [], tasks: [], rewardRules: '' };
    templates[n] = { ...base, ...t };
  }
  return { domains: file.domains ?? DEFAULT_DOMAINS, templates };
}

export function boardConfig(file: Partial<BoardConfig> = {}): BoardConfig {
  return { hotline: '12345', hotlineName: '政务服务便民热线', ...file };
}

export const templateOf = (config: DutiesConfig, level: number): LevelDuties => config.templates[level] ?? { duties: [], tasks: [], rewardRules: '' };
