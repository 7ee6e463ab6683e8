// What a leader types into the search box, as a request id the API takes (EntityIdSchema:
// 1–64 of A–Z a–z 0–9 . _ : -, starting with a letter or digit), or null.
const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/

/** Trims spaces (a pasted id often carries them) and a leading "#"; null when it cannot be an id. */
export function requestIdOf(text: string): string | null {
  const id = text.trim().replace(/^#/, '').trim()
  return REQUEST_ID.test(id) ? id : null
}
