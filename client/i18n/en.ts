import type { MessageSchema } from './zh-CN'

// Typed against the Chinese messages: a key missing here fails the type-check.
const en: MessageSchema = {
  app: {
    name: 'Outpost',
    subtitle: 'Community governance command center',
  },
  wall: {
    title: 'Wall display',
    openRequests: 'Open requests',
    unreviewedAlerts: 'Alerts to review',
    workersOnline: 'Grid workers online',
    ticker: 'Live feed',
    tickerEmpty: 'Waiting for live data…',
    unknownGrid: 'Unknown grid',
    map: 'Live map of the area',
    loadingGeography: 'Loading the area…',
    geographyError: 'Could not load the area',
  },
  leader: {
    title: 'Leader dashboard',
    coming: 'Drill-down by street, community and grid is coming soon.',
  },
  kiosk: {
    title: 'Public service board',
    coming: 'Service statistics for residents are coming soon.',
  },
  connection: {
    connecting: 'Connecting',
    live: 'Live',
    stale: 'Delayed',
    offline: 'Offline',
  },
  event: {
    request: { received: 'New request', transitioned: 'Request update' },
    alert: { raised: 'Camera alert', reviewed: 'Alert reviewed' },
    patrol: { reported: 'Patrol' },
  },
  source: {
    hotline: '12345 hotline',
    grid_chat: 'Grid group chat',
    app: 'Resident app',
    qr: 'QR code',
    walk_in: 'Walk-in',
    patrol: 'Found on patrol',
    camera: 'Found by camera',
  },
  category: {
    environment: 'Environment',
    municipal: 'Municipal facilities',
    public_order: 'Public order',
    dispute: 'Dispute',
    elderly_care: 'Elderly care',
    property: 'Property management',
    noise: 'Noise',
    utilities: 'Utilities',
    traffic: 'Traffic',
    safety_hazard: 'Safety hazard',
    other: 'Other',
  },
  priority: {
    urgent: 'Urgent',
    utilities: 'Utilities',
    general: 'General',
    complex: 'Complex',
  },
  stage: {
    received: 'Received',
    dispatched: 'Dispatched',
    accepted: 'Accepted',
    onsite: 'On site',
    resolved: 'Resolved',
    reviewed: 'Reviewed',
    returned: 'Returned',
    reopened: 'Reopened',
  },
  alertKind: {
    high_altitude_throwing: 'Thrown from height',
    ebike_in_elevator: 'E-bike in elevator',
    flying_wire_charging: 'Flying-wire charging',
    manhole_anomaly: 'Manhole cover anomaly',
    smoke_fire: 'Smoke or fire',
    crowd_gathering: 'Crowd gathering',
  },
  verdict: {
    confirmed: 'Confirmed',
    false_positive: 'False positive',
  },
  patrolKind: {
    ping: 'Position',
    check_in: 'Check-in',
    visit: 'Household visit',
  },
}

export default en
