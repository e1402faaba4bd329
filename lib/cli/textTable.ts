/** A plain-text table for the terminal: first column left-aligned, the others right-aligned. */
export function formatTextTable(head: string[], rows: string[][]): string {
  const w = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]): string => '  ' + r.map((x, c) => (c === 0 ? (x ?? '').padEnd(w[c]) : (x ?? '').padStart(w[c]))).join('  ');
  return [line(head), '  ' + w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}
