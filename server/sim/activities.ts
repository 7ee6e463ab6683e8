// Service activities of the volunteer teams (便民服务活动), for the kiosk: a few a day across the
// district, in daytime, held in a community.
import type { ActivityKind } from '../../shared/public'
import { DAY, chance, intBetween, pickWeighted, type District, type Rng, type Weights } from './model'

export const ACTIVITIES_PER_DAY = 8

const KINDS: Weights<ActivityKind> = [
  ['senior_class', 3],
  ['volunteering', 3],
  ['free_haircut', 2],
  ['health_check', 2],
  ['legal_aid', 1],
  ['mediation', 1],
]

const TEAMS: Record<ActivityKind, string[]> = {
  senior_class: ['银龄学堂', '老年大学分校'],
  free_haircut: ['爱心义剪队', '巧手志愿队'],
  health_check: ['家庭医生团队', '社区卫生服务站'],
  legal_aid: ['法律明白人服务队', '律师进社区'],
  mediation: ['老娘舅调解室', '和事佬调解队'],
  volunteering: ['红马甲志愿者', '青年志愿服务队'],
}

const PARTICIPANTS: Record<ActivityKind, [number, number]> = {
  senior_class: [12, 40],
  free_haircut: [8, 30],
  health_check: [20, 80],
  legal_aid: [4, 20],
  mediation: [2, 8],
  volunteering: [10, 50],
}

export function activityRate(): number {
  return ACTIVITIES_PER_DAY / DAY
}

export interface ActivityDraft {
  team: string
  kind: ActivityKind
  /** A community (most) or the street itself. */
  unit: string
  participants: number
}

export function drawActivity(rand: Rng, district: District): ActivityDraft {
  const kind = pickWeighted(rand, KINDS)
  const grid = district.pickGrid(rand)
  const teams = TEAMS[kind]
  return {
    team: teams[intBetween(rand, 0, teams.length - 1)]!,
    kind,
    unit: chance(rand, 0.85) ? grid.path.communityId : grid.path.streetId,
    participants: intBetween(rand, ...PARTICIPANTS[kind]),
  }
}
