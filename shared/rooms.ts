// Socket.IO room names, made and read only here. Unit ids are unique across levels, so one prefix
// serves the district, streets, communities and grids alike.

/** The `/live` room of a unit: its events and its figures. */
export function unitRoom(unitId: string): string {
  return `unit:${unitId}`
}

/** The unit of a `/live` room, or undefined for any other room (a socket's own id). */
export function unitOfRoom(room: string): string | undefined {
  return room.startsWith('unit:') ? room.slice(5) : undefined
}

/** The `/public` room of a street or community: its kiosks' aggregate figures. */
export function publicRoom(unitId: string): string {
  return `public:${unitId}`
}

/** The unit of a `/public` room, or undefined for any other room. */
export function unitOfPublicRoom(room: string): string | undefined {
  return room.startsWith('public:') ? room.slice(7) : undefined
}
