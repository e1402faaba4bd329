/**
 * `hrlmg report`: the figures, summary.md and the kit-vs-paper comparison rebuilt from a reproduce
 * folder's results/*.json alone (no rerun, no trained models needed), e.g. from the committed
 * docs/results/<run>/. The builders are the ones the figures and summary stages use, and the run's
 * description and stage times come from results/summary.json, so on the folder reproduce wrote, the
 * figures' HTML and summary.md come out byte-identical (with the same PNG setting).
 *   md:    <out>/figures/*.html (+ .png with --png), <out>/summary.md, <out>/kit-vs-paper.md
 *   latex: <out>/report.tex (booktabs tables per figure, the claims list, kit vs paper)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomic';
import { InputError } from '../util/errors';
import { annotateClaims, evidenceWarnings, type EvidenceMinimums, type EvidenceWarning } from './evidence';
import { buildClaims, renderSummary, type StageTime } from './summary';
import { buildFigures, writeFigures } from './figures';
import { figureTables } from './figureTables';
import { renderLatex } from './latex';
import { paperComparison, type PaperRow } from './paperComparison';
import { loadResults, type FiguresResults, type ReproduceResults } from './results';

export type ReportFormat = 'md' | 'latex';

export interface ReportOptions {
  /** The reproduce folder (holding results/). */
  from: string;
  /** Where to write (default: `from`). */
  out?: string;
  format?: ReportFormat;
  /** Render PNGs with headless Chromium (md only). */
  png?: boolean;
  onFigure?: () => void;
}

const STAGE_FILES = ['data', 'simulator', 'train', 'evaluate', 'sweep'];

/** The results of `from`, with a clear error when there are none or a file is not JSON. */
export function readReportResults(from: string): ReproduceResults {
  const dir = path.join(from, 'results');
  if (!fs.existsSync(from)) throw new InputError(from, 0, 'report --from: no such folder');
  if (!fs.existsSync(dir)) throw new InputError(from, 0, 'report: no results/ folder here (expected the output folder of hrlmg reproduce, e.g. docs/results/<run>)');
  if (!STAGE_FILES.some((s) => fs.existsSync(path.join(dir, `${s}.json`)))) {
    throw new InputError(dir, 0, `report: holds none of ${STAGE_FILES.map((s) => `${s}.json`).join(', ')}: nothing to report`);
  }
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.json'))) {
    try {
      JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    } catch (e) {
      throw new InputError(path.join(dir, f), 0, `report: not valid JSON (${(e as Error).message})`);
    }
  }
  return loadResults(from);
}

/** The run's description and stage times as the summary stage recorded them (results/summary.json). */
function recordedSummary(res: ReproduceResults): { about: string[]; stages: StageTime[]; warnings: EvidenceWarning[] } {
  const file = path.join(res.dir, 'results', 'summary.json');
  const rec = fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { about?: string[]; stages?: StageTime[]; warnings?: EvidenceWarning[]; config?: { evidence?: EvidenceMinimums } })
    : {};
  const head = res.evaluate ?? res.train ?? res.data ?? res.simulator ?? res.sweep;
  const about = Array.isArray(rec.about)
    ? rec.about
    : [
        'Run: rebuilt by hrlmg report from results/ written before the run description was recorded (kit ' + (head?.meta.kit ?? 'unknown') + `; TF.js backend ${head?.backend.backend ?? 'unknown'}; started ${head?.meta.startedAt ?? 'unknown'}).`,
        `Seeds: ${(head?.seeds ?? []).join(', ')} (n = ${head?.seeds.length ?? 0} per method and sweep point).`,
      ];
  // the evidence warnings as the run recorded them (or recomputed with its recorded minimums)
  const warnings = Array.isArray(rec.warnings) ? rec.warnings : rec.config?.evidence ? evidenceWarnings(res, rec.config.evidence) : [];
  return { about, stages: Array.isArray(rec.stages) ? rec.stages : [], warnings };
}

export interface ReportOutput {
  /** Files written, relative to `out`. */
  files: string[];
  paper: PaperRow[];
}

/** Kit vs paper as Markdown. */
export function paperMarkdown(rows: ReadonlyArray<PaperRow>): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const L = [
    '# Kit vs paper: the orderings of Sections 4.2-4.3 against the measured ones',
    '',
    'Measured: means over training seeds (the 95% CIs and every paired comparison are in [summary.md](summary.md)). ' +
      'A row held when every comparison it needs held (paired 95% CI of the per-seed differences above 0, at least 3 seeds), ' +
      'did not hold when any went the other way, and is inconclusive otherwise.',
    '',
  ];
  if (!rows.length) return [...L, '(no test results: nothing to compare)', ''].join('\n');
  L.push('| paper states | setting | paper | measured (mean over seeds) | verdict |', '|---|---|---|---|---|');
  for (const r of rows) L.push(`| ${esc(r.statement)} (${esc(r.source)}) | ${esc(r.setting)} | ${esc(r.paper)} | ${esc(r.measured)} | **${r.verdict}** |`);
  L.push('', '## The comparisons behind each verdict', '');
  for (const r of rows) L.push(`- ${r.statement}, ${r.setting}: ${r.detail}.`);
  L.push('');
  return L.join('\n');
}

/** Write the report (see the module comment). */
export async function writeReport(o: ReportOptions): Promise<ReportOutput> {
  const res = readReportResults(o.from);
  const out = o.out ?? o.from;
  fs.mkdirSync(out, { recursive: true });
  const { about, stages, warnings } = recordedSummary(res);
  const claims = annotateClaims(buildClaims(res), warnings);
  const paper = paperComparison(res);
  const files: string[] = [];
  if ((o.format ?? 'md') === 'latex') {
    const tex = renderLatex({ title: 'HRL-MG reproduction: report', about, blocks: figureTables(res), claims, paper });
    writeFileAtomic(path.join(out, 'report.tex'), tex);
    return { files: ['report.tex'], paper };
  }
  const figDir = path.join(out, 'figures');
  fs.mkdirSync(figDir, { recursive: true });
  const figs = buildFigures(res);
  const written = await writeFigures(figDir, figs, { png: o.png === true, onDone: o.onFigure });
  files.push(...written.flatMap((f) => [`figures/${f.html}`, ...(f.png ? [`figures/${f.png}`] : [])]));
  // summary.md links the figures written now, next to it
  const withFigures: ReproduceResults = { ...res, figures: { ...(res.figures ?? ({} as FiguresResults)), figures: written } };
  writeFileAtomic(path.join(out, 'summary.md'), renderSummary(withFigures, { claims, stages, about, warnings }));
  writeFileAtomic(path.join(out, 'kit-vs-paper.md'), paperMarkdown(paper));
  files.push('summary.md', 'kit-vs-paper.md');
  return { files, paper };
}


