/**
 * `hrlmg report --format latex`: the per-figure tables (figureTables.ts) as booktabs tables, the
 * claims list and the kit-vs-paper table (paperComparison.ts) in one standalone LaTeX document
 * (packages: booktabs, longtable, amssymb; compiles with pdflatex). Every string from the results
 * is escaped (latexEscape), so labels with & _ % # $ { } ~ ^ \ are safe.
 */
import type { Claim } from './claims';
import type { Block } from './figureTables';
import type { PaperRow } from './paperComparison';

const UNICODE: Record<string, string> = {
  '±': '$\\pm$', 'α': '$\\alpha$', 'β': '$\\beta$', '×': '$\\times$', '−': '$-$', '—': '---', '–': '--',
  '≥': '$\\geq$', '≤': '$\\leq$', '∈': '$\\in$', '→': '$\\rightarrow$', '≈': '$\\approx$', '…': '\\ldots{}', '·': '$\\cdot$',
};

/** Text safe in LaTeX's text mode (special characters escaped, the few Unicode symbols the kit writes as math). */
export function latexEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    if (ch === '\\') out += '\\textbackslash{}';
    else if ('&%$#_{}'.includes(ch)) out += `\\${ch}`;
    else if (ch === '~') out += '\\textasciitilde{}';
    else if (ch === '^') out += '\\textasciicircum{}';
    else if (ch === '<') out += '\\textless{}';
    else if (ch === '>') out += '\\textgreater{}';
    else if (ch === '|') out += '\\textbar{}';
    else if (UNICODE[ch]) out += UNICODE[ch];
    else out += ch;
  }
  // Markdown emphasis and code from the shared texts: drop the markers
  return out.replace(/\*\*(.+?)\*\*/g, '\\textbf{$1}').replace(/`([^`]*)`/g, '\\texttt{$1}');
}

function table(head: string[], rows: string[][], caption?: string): string[] {
  const L: string[] = [];
  const spec = `l${'r'.repeat(Math.max(0, head.length - 1))}`;
  L.push('{\\small', `\\begin{longtable}{${spec}}`);
  if (caption) L.push(`\\caption{${latexEscape(caption)}}\\\\`);
  L.push('\\toprule', `${head.map(latexEscape).join(' & ')} \\\\`, '\\midrule', '\\endhead');
  for (const r of rows) L.push(`${r.map(latexEscape).join(' & ')} \\\\`);
  L.push('\\bottomrule', '\\end{longtable}', '}', '');
  return L;
}

/** A paragraph table (wrapped columns) for long text cells. */
function textTable(head: string[], widths: string[], rows: string[][]): string[] {
  const L: string[] = ['{\\footnotesize', `\\begin{longtable}{${widths.map((w) => `p{${w}}`).join('')}}`, '\\toprule', `${head.map(latexEscape).join(' & ')} \\\\`, '\\midrule', '\\endhead'];
  for (const r of rows) L.push(`${r.map(latexEscape).join(' & ')} \\\\`);
  L.push('\\bottomrule', '\\end{longtable}', '}', '');
  return L;
}

export interface LatexReport {
  title: string;
  about: string[];
  blocks: ReadonlyArray<Block>;
  claims: ReadonlyArray<Claim>;
  paper: ReadonlyArray<PaperRow>;
}

/** The whole document. */
export function renderLatex(r: LatexReport): string {
  const L: string[] = [
    '\\documentclass[10pt]{article}',
    '\\usepackage[utf8]{inputenc}',
    '\\usepackage[T1]{fontenc}',
    '\\usepackage[margin=2cm,landscape]{geometry}',
    '\\usepackage{booktabs}',
    '\\usepackage{longtable}',
    '\\usepackage{amssymb}',
    `\\title{${latexEscape(r.title)}}`,
    '\\date{}',
    '\\begin{document}',
    '\\maketitle',
    '',
  ];
  if (r.about.length) {
    L.push('\\begin{itemize}');
    for (const a of r.about) L.push(`\\item ${latexEscape(a)}`);
    L.push('\\end{itemize}', '');
  }
  L.push('\\section*{Kit vs paper}', '');
  if (r.paper.length) L.push(...textTable(['paper states', 'setting', 'paper', 'measured (mean over seeds)', 'verdict'], ['5cm', '4.5cm', '3.5cm', '7cm', '2cm'], r.paper.map((p) => [`${p.statement} (${p.source})`, p.setting, p.paper, p.measured, p.verdict])));
  else L.push('No test results: nothing to compare.', '');
  L.push('\\section*{Claims of the paper}', '');
  const groups = [...new Set(r.claims.map((c) => c.group))];
  if (!groups.length) L.push('No claims could be checked: the test stages have not run.', '');
  for (const g of groups) {
    L.push(`\\subsection*{${latexEscape(g)}}`, '\\begin{itemize}');
    for (const c of r.claims.filter((x) => x.group === g)) L.push(`\\item ${latexEscape(c.text)} (${latexEscape(c.source)}): \\textbf{${latexEscape(c.verdict)}} --- ${latexEscape(c.detail)}.`);
    L.push('\\end{itemize}', '');
  }
  let caption: string | undefined;
  for (const b of r.blocks) {
    if (b.kind === 'heading') {
      if (b.level === 2) {
        L.push(`\\section*{${latexEscape(b.text)}}`, '');
        caption = undefined;
      } else caption = b.text;
    } else if (b.kind === 'table') {
      L.push(...table(b.head, b.rows, caption));
      caption = undefined;
    } else L.push(latexEscape(b.text), '');
  }
  L.push('\\end{document}', '');
  return L.join('\n');
}
