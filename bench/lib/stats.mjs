export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
}

/** Spread as (max - min) / median, in percent. */
export function spreadPct(xs) {
  const m = median(xs);
  return xs.length < 2 || !m ? 0 : ((Math.max(...xs) - Math.min(...xs)) / m) * 100;
}

export const MiB = 1024 * 1024;
export const KiB = 1024;

export function fmtSize(bytes) {
  if (bytes >= MiB) return `${bytes / MiB} MiB`;
  if (bytes >= KiB) return `${bytes / KiB} KiB`;
  return `${bytes} B`;
}

export function fmtNum(x, digits = 0) {
  if (!Number.isFinite(x)) return String(x);
  return x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
