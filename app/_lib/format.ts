/** Display formatting. Never prints NaN or Infinity: a missing or undefined number shows as "—". */
export function fmt(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const text = value.toFixed(digits);
  return text.startsWith("-") && Number(text) === 0 ? text.slice(1) : text.replace("-", "−");
}

export function fmtP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return "—";
  if (p < 0.001) return "< 0.001";
  return p.toFixed(3);
}

export function fmtPercent(value: number | null | undefined, digits = 0): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "—" : `${value.toFixed(digits)}%`;
}

export function fmtCi(lower: number | null | undefined, upper: number | null | undefined, digits = 2): string {
  return `${fmt(lower, digits)} to ${fmt(upper, digits)}`;
}
