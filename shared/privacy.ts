// Masking of personal data for views that may see that a reporter exists but not who.

/** 张三 → 张*, 欧阳娜娜 → 欧***; a Latin name keeps its first letter. */
export function maskName(name: string): string {
  const chars = [...name.trim()]
  if (chars.length === 0) return ''
  return chars[0] + '*'.repeat(Math.max(1, chars.length - 1))
}

/** 13812341234 → 138****1234; short numbers keep only their last two digits. */
export function maskPhone(phone: string): string {
  const all = phone.replace(/\D/g, '')
  // A country code (+86) in front: the mobile number is the last 11 digits.
  const digits = all.length > 11 ? all.slice(-11) : all
  if (digits.length === 11) return `${digits.slice(0, 3)}****${digits.slice(-4)}`
  if (digits.length <= 2) return '*'.repeat(digits.length)
  return '*'.repeat(digits.length - 2) + digits.slice(-2)
}
