/**
 * `hrlmg report`: rebuild the figures, summary.md and the kit-vs-paper comparison (or a LaTeX file)
 * from a reproduce folder's results/ alone, without rerunning anything (lib/experiments/report.ts).
 */
import * as path from 'node:path';
import { UsageError } from '../util/errors';
import { Progress } from '../util/progress';
import { writeReport } from '../experiments/report';
import { chromiumAvailable } from '../plots/png';
import { defineCommand, status } from './command';

export const reportCommand = defineCommand(
  {
    name: 'report',
    summary: 'rebuild figures, summary.md and kit-vs-paper (or LaTeX tables) from a reproduce folder\'s results/ only',
    usage: 'report --from DIR [--out DIR] [--format md|latex] [--png]',
    description: [
      'Reads <from>/results/*.json (what hrlmg reproduce wrote, or a committed copy such as docs/results/<run>/;',
      'no trained models needed, nothing is rerun) and writes into --out:',
      '  md:    figures/*.html (+ .png with --png and Chromium), summary.md, kit-vs-paper.md (the paper\'s',
      '         orderings of Sections 4.2-4.3 against the measured ones, one verdict per row)',
      '  latex: report.tex (booktabs tables per figure, the claims list, kit vs paper; pdflatex)',
      'On the folder reproduce wrote, the figures\' HTML and summary.md come out byte-identical (same PNG setting).',
    ].join('\n'),
    flags: {
      from: { type: 'string', placeholder: 'DIR', doc: 'the reproduce output folder (holding results/); required' },
      out: { type: 'string', placeholder: 'DIR', doc: 'where to write (default: the --from folder)' },
      format: { type: 'string', placeholder: 'md|latex', default: 'md', doc: 'md: figures + summary.md + kit-vs-paper.md; latex: report.tex' },
      png: { type: 'boolean', doc: 'also render each figure as PNG with headless Chromium (md only)' },
    },
  },
  async (a) => {
    const from = a.flags.from as string | undefined;
    if (from === undefined || from.trim() === '') throw new UsageError('report: --from DIR is required (a reproduce output folder, e.g. docs/results/<run>)');
    const format = a.flags.format as string;
    if (format !== 'md' && format !== 'latex') throw new UsageError(`report: --format must be md or latex, got '${format}'`);
    const png = a.flags.png === true;
    if (png && format === 'latex') throw new UsageError('report: --png applies to --format md only');
    if (png && !chromiumAvailable()) status('report: Chromium not installed: HTML figures only');
    const out = (a.flags.out as string | undefined) ?? from;
    const bar = format === 'md' ? new Progress('report figures', 11, { unit: 'figures' }) : null;
    const r = await writeReport({ from, out, format, png, onFigure: () => bar?.tick(1) });
    bar?.finish();
    const held = r.paper.filter((p) => p.verdict === 'held').length;
    process.stdout.write(`report: ${r.files.length} files in ${path.resolve(out)} (${r.files.filter((f) => !f.startsWith('figures/')).join(', ')}); kit vs paper: ${held} of ${r.paper.length} orderings held\n`);
  },
);
