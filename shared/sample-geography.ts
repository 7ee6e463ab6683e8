// The sample area: Yinchuan's Jinfeng district (金凤区), generated deterministically.
//
// Street-level units carry their real names and NBS 2023 codes; everything below them (communities,
// villages, grids, their shapes and populations) is invented from a fixed seed. Every unit tiles its
// parent exactly: the district is a rectangle over the real extent (WGS84), the six urban streets
// tile a box around the urban centre, the two towns wrap around it as L shapes (良田镇 in the north
// and west, 丰登镇 in the south and east), and below that everything is an axis-aligned rectangle
// cut by guillotine. Coordinates are rounded to 6 decimals before children are cut, so shared edges
// are bit-identical numbers. Pure: imported by the client, the server and the tests alike.

import { DISTRICT_ID, type GeoUnit, type PolygonCoords } from './domain'
import { mulberry32 } from './random'

export const SAMPLE_DISTRICT_NAME = '金凤区'

/** One grid worker (网格员) per grid. */
export function workerIdForGrid(gridId: string): string {
  return `w-${gridId}`
}

const SEED = 0x640106

/** District extent (WGS84). */
const WEST = 106.05
const EAST = 106.3
const SOUTH = 38.28
const NORTH = 38.64

/** The urban box, around the urban centre (~106.224 E, 38.477 N). */
const URBAN_WEST = 106.17
const URBAN_EAST = 106.28
const URBAN_SOUTH = 38.44
const URBAN_NORTH = 38.515

/** Degrees of longitude to degrees of latitude at this latitude, for "which side is longer". */
const LON_SCALE = Math.cos((38.46 * Math.PI) / 180)

interface Rect {
  minLon: number
  minLat: number
  maxLon: number
  maxLat: number
}

interface StreetDef {
  id: string
  name: string
  town: boolean
}

const STREETS: readonly StreetDef[] = [
  { id: '640106001', name: '满城北街街道', town: false },
  { id: '640106002', name: '黄河东路街道', town: false },
  { id: '640106003', name: '长城中路街道', town: false },
  { id: '640106004', name: '北京中路街道', town: false },
  { id: '640106005', name: '上海西路街道', town: false },
  { id: '640106006', name: '贺兰山中路街道', town: false },
  { id: '640106100', name: '良田镇', town: true },
  { id: '640106101', name: '丰登镇', town: true },
]

/** Invented names; each used at most once. */
const COMMUNITY_NAMES: readonly string[] = [
  '阅海', '宝湖', '亲水', '康平', '正源', '紫园', '银啤苑', '枕水', '塞上', '泰康',
  '景园', '兴源', '悦湖', '安泰', '金兰', '尚城', '湖畔', '丽景', '学府', '春晖',
  '惠民', '馨和', '文昌', '锦绣', '凤凰', '德胜', '福泰', '新华', '秀水', '华雁',
  '宁安', '银湖', '欣悦', '清和', '美丽', '和平', '朝阳', '芳草', '满春', '北塔',
  '观湖', '长湖', '绿园', '振兴',
]
const VILLAGE_NAMES: readonly string[] = [
  '园子', '植物园', '金星', '和顺', '光明', '红星', '富原', '永丰', '新渠', '丰庆',
  '沿河', '银河', '丰盈', '五里台', '清渠', '保丰',
]


function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6
}

function intBetween(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1))
}

function rectArea(r: Rect): number {
  return (r.maxLon - r.minLon) * (r.maxLat - r.minLat)
}

/** Counter-clockwise closed ring (RFC 7946). */
function rectPolygon(r: Rect): PolygonCoords {
  return [
    [
      [r.minLon, r.minLat],
      [r.maxLon, r.minLat],
      [r.maxLon, r.maxLat],
      [r.minLon, r.maxLat],
      [r.minLon, r.minLat],
    ],
  ]
}

/**
 * Cut `r` into `n` rectangles: split the longer side (in ground distance) at a proportion of the
 * pieces on each side, ±15 %, rounded to 6 decimals. Returned west-to-east / south-to-north.
 */
function guillotine(r: Rect, n: number, rand: () => number): Rect[] {
  if (n <= 1) return [r]
  const nFirst = Math.floor(n / 2)
  const frac = (nFirst / n) * (1 + (rand() * 2 - 1) * 0.15)
  const width = (r.maxLon - r.minLon) * LON_SCALE
  const height = r.maxLat - r.minLat
  let a: Rect
  let b: Rect
  if (width >= height) {
    const cut = round6(r.minLon + (r.maxLon - r.minLon) * frac)
    a = { ...r, maxLon: cut }
    b = { ...r, minLon: cut }
  } else {
    const cut = round6(r.minLat + (r.maxLat - r.minLat) * frac)
    a = { ...r, maxLat: cut }
    b = { ...r, minLat: cut }
  }
  return [...guillotine(a, nFirst, rand), ...guillotine(b, n - nFirst, rand)]
}

/** A street's territory: one rectangle, or (a town) several that together form its polygon. */
interface Territory {
  polygon: PolygonCoords
  parts: Rect[]
}

function territories(rand: () => number): Territory[] {
  const urban: Rect = { minLon: URBAN_WEST, minLat: URBAN_SOUTH, maxLon: URBAN_EAST, maxLat: URBAN_NORTH }
  const streets = guillotine(urban, 6, rand).map((r) => ({ polygon: rectPolygon(r), parts: [r] }))
  // 良田镇: the northern band plus the strip west of the urban box.
  const liangtian: Territory = {
    polygon: [
      [
        [WEST, URBAN_SOUTH],
        [URBAN_WEST, URBAN_SOUTH],
        [URBAN_WEST, URBAN_NORTH],
        [EAST, URBAN_NORTH],
        [EAST, NORTH],
        [WEST, NORTH],
        [WEST, URBAN_SOUTH],
      ],
    ],
    parts: [
      { minLon: WEST, minLat: URBAN_NORTH, maxLon: EAST, maxLat: NORTH },
      { minLon: WEST, minLat: URBAN_SOUTH, maxLon: URBAN_WEST, maxLat: URBAN_NORTH },
    ],
  }
  // 丰登镇: the southern band plus the strip east of the urban box.
  const fengdeng: Territory = {
    polygon: [
      [
        [WEST, SOUTH],
        [EAST, SOUTH],
        [EAST, URBAN_NORTH],
        [URBAN_EAST, URBAN_NORTH],
        [URBAN_EAST, URBAN_SOUTH],
        [WEST, URBAN_SOUTH],
        [WEST, SOUTH],
      ],
    ],
    parts: [
      { minLon: WEST, minLat: SOUTH, maxLon: EAST, maxLat: URBAN_SOUTH },
      { minLon: URBAN_EAST, minLat: URBAN_SOUTH, maxLon: EAST, maxLat: URBAN_NORTH },
    ],
  }
  return [...streets, liangtian, fengdeng]
}

/** Share `n` pieces among `parts` by area, at least one each. */
function shareByArea(parts: Rect[], n: number): number[] {
  const total = parts.reduce((s, r) => s + rectArea(r), 0)
  const counts = parts.map((r) => Math.max(1, Math.round((n * rectArea(r)) / total)))
  const excess = counts.reduce((s, c) => s + c, 0) - n
  // The largest part absorbs the rounding difference.
  let largest = 0
  for (let i = 1; i < parts.length; i++) if (rectArea(parts[i]) > rectArea(parts[largest])) largest = i
  counts[largest] -= excess
  if (counts[largest] < 1) throw new Error('sample geography: too few pieces for the parts')
  return counts
}

function withTotals(unit: GeoUnit, children: GeoUnit[]): GeoUnit {
  let population = 0
  let households = 0
  for (const c of children) {
    population += c.population ?? 0
    households += c.households ?? 0
  }
  return { ...unit, population, households }
}

/**
 * The sample geography: district, then its 8 streets/towns, then communities/villages, then grids,
 * each level ordered by id (parents before children). Deterministic; a few milliseconds.
 */
export function buildSampleGeography(): GeoUnit[] {
  const rand = mulberry32(SEED)
  const streets: GeoUnit[] = []
  const communities: GeoUnit[] = []
  const grids: GeoUnit[] = []
  const districtRect: Rect = { minLon: WEST, minLat: SOUTH, maxLon: EAST, maxLat: NORTH }

  const terr = territories(rand)
  let communityName = 0
  let villageName = 0

  STREETS.forEach((def, si) => {
    const { polygon, parts } = terr[si]
    const nCommunities = intBetween(rand, 5, 7)
    const counts = shareByArea(parts, nCommunities)
    const rects = parts.flatMap((p, i) => guillotine(p, counts[i], rand))
    const streetCommunities: GeoUnit[] = []
    rects.forEach((cr, ci) => {
      const id = `${def.id}${String(ci + 1).padStart(3, '0')}`
      const base = def.town ? VILLAGE_NAMES[villageName++] : COMMUNITY_NAMES[communityName++]
      if (base === undefined) throw new Error('sample geography: ran out of community names')
      const name = def.town ? `${base}村` : `${base}社区`
      const nGrids = intBetween(rand, 4, 8)
      const communityGrids: GeoUnit[] = guillotine(cr, nGrids, rand).map((gr, gi) => {
        const population = def.town ? intBetween(rand, 400, 1500) : intBetween(rand, 1500, 4500)
        return {
          id: `${id}${String(gi + 1).padStart(2, '0')}`,
          level: 'grid',
          parentId: id,
          name: `${name}第${gi + 1}网格`,
          geometry: { type: 'Polygon', coordinates: rectPolygon(gr) },
          population,
          households: Math.max(1, Math.round(population / 2.6)),
        }
      })
      grids.push(...communityGrids)
      streetCommunities.push(
        withTotals({ id, level: 'community', parentId: def.id, name, geometry: { type: 'Polygon', coordinates: rectPolygon(cr) } }, communityGrids),
      )
    })
    communities.push(...streetCommunities)
    streets.push(
      withTotals({ id: def.id, level: 'street', parentId: DISTRICT_ID, name: def.name, geometry: { type: 'Polygon', coordinates: polygon } }, streetCommunities),
    )
  })

  const district = withTotals(
    { id: DISTRICT_ID, level: 'district', parentId: null, name: SAMPLE_DISTRICT_NAME, geometry: { type: 'Polygon', coordinates: rectPolygon(districtRect) } },
    streets,
  )
  return [district, ...streets, ...communities, ...grids]
}
