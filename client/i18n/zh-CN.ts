// Chinese is the default: the people at the wall and in the lobby read it first.
const zhCN = {
  app: {
    name: '前哨',
    subtitle: '基层治理指挥中心',
  },
  wall: {
    title: '指挥大屏',
    openRequests: '在办诉求',
    unreviewedAlerts: '待核告警',
    workersOnline: '在线网格员',
    ticker: '实时动态',
    tickerEmpty: '等待实时数据…',
    unknownGrid: '未知网格',
    map: '辖区实时地图',
    loadingGeography: '正在加载辖区…',
    geographyError: '辖区数据加载失败',
  },
  leader: {
    title: '领导驾驶舱',
    coming: '街道、社区和网格的逐级分析即将上线。',
  },
  kiosk: {
    title: '便民服务公示',
    coming: '面向居民的服务统计即将上线。',
  },
  connection: {
    connecting: '连接中',
    live: '实时',
    stale: '数据延迟',
    offline: '已断开',
  },
  // Keys follow the event `type`: `event.${type}` resolves 'request.received' as a path.
  event: {
    request: { received: '新诉求', transitioned: '诉求流转' },
    alert: { raised: '视频告警', reviewed: '告警核查' },
    patrol: { reported: '网格巡查' },
  },
  source: {
    hotline: '12345热线',
    grid_chat: '网格群',
    app: '居民端',
    qr: '扫码',
    walk_in: '来访',
    patrol: '巡查发现',
    camera: '视频发现',
  },
  category: {
    environment: '环境卫生',
    municipal: '市政设施',
    public_order: '治安秩序',
    dispute: '矛盾纠纷',
    elderly_care: '养老服务',
    property: '物业管理',
    noise: '噪音扰民',
    utilities: '水电气暖',
    traffic: '交通出行',
    safety_hazard: '安全隐患',
    other: '其他',
  },
  priority: {
    urgent: '紧急',
    utilities: '水电气热',
    general: '一般',
    complex: '复杂',
  },
  stage: {
    received: '受理',
    dispatched: '派单',
    accepted: '签收',
    onsite: '到场',
    resolved: '办结',
    reviewed: '回访',
    returned: '退单',
    reopened: '重办',
  },
  alertKind: {
    high_altitude_throwing: '高空抛物',
    ebike_in_elevator: '电动车进电梯',
    flying_wire_charging: '飞线充电',
    manhole_anomaly: '井盖异常',
    smoke_fire: '烟火',
    crowd_gathering: '人员聚集',
  },
  verdict: {
    confirmed: '确认',
    false_positive: '误报',
  },
  patrolKind: {
    ping: '定位',
    check_in: '签到',
    visit: '入户走访',
  },
}

export type MessageSchema = typeof zhCN
export default zhCN
