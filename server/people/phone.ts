/**
 * Phones are stored as digits with an optional leading "+", so the same number typed as
 * "138 0013 8000", "138-0013-8000" or "+86 13800138000" matches one person.
 */
export function normalizePhone(input: string): string | null {
  const compact = input.trim().replace(/[\s\-().]/g, '');
  if (!/^\+?[0-9]{3,20}$/.test(compact)) return null;
  // A mainland mobile with the country code is the same phone as without it.
  const mobile = /^(?:\+86|0086|86)(1[0-9]{10})$/.exec(compact);
  return mobile ? mobile[1]! : compact;
}

/** 13812345678 → 138****5678: enough to recognise a number, not enough to call it. */
export function maskPhone(phone: string): string {
  const n = phone.length;
  const start = n >= 11 ? 3 : n >= 8 ? 2 : 0;
  const end = n >= 7 ? 4 : n >= 5 ? 2 : 1;
  return phone.slice(0, start) + '*'.repeat(n - start - end) + phone.slice(n - end);
}
