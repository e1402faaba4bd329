/**
 * Every notebooks/*.ipynb: committed without outputs, and executes cell by cell without an error on
 * the tslab kernel through Jupyter (nbclient) with HRLMG_NB_BUDGET=tiny, into a temporary copy (the
 * committed notebook is never touched). At most 2 notebooks run at a time. Skipped (saying why) only
 * when Jupyter's Python packages or the tslab kernel are missing.
 *
 * The notebooks import the compiled kit from ../dist/lib/ (the default build, `npm run build`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
const NB_DIR = path.join(ROOT, 'notebooks');
const BIN = path.join(ROOT, 'node_modules', '.bin');
const PER_NOTEBOOK_MS = 10 * 60 * 1000;

interface NbCell {
  cell_type: string;
  id?: string;
  source: string | string[];
  execution_count?: number | null;
  outputs?: Array<{ output_type: string; name?: string; text?: string | string[]; data?: Record<string, string | string[]> }>;
}
interface Notebook {
  cells: NbCell[];
  metadata: { kernelspec?: { name?: string } };
  nbformat: number;
}

const notebooks = fs.existsSync(NB_DIR) ? fs.readdirSync(NB_DIR).filter((f) => f.endsWith('.ipynb') && !f.endsWith('.nbconvert.ipynb')).sort() : [];
/** HRLMG_NOTEBOOKS=01,02 executes only the notebooks whose names start with one of these (while working on them). */
const only = (process.env.HRLMG_NOTEBOOKS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const toExecute = only.length ? notebooks.filter((f) => only.some((p) => f.startsWith(p))) : notebooks;
const text = (s: string | string[] | undefined): string => (Array.isArray(s) ? s.join('') : (s ?? ''));

/** Runs one notebook with nbclient, cell by cell; writes the executed copy and a JSON verdict. */
const RUNNER = String.raw`
import json, sys, time
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
src, out, cwd = sys.argv[1:4]
nb = nbformat.read(src, as_version=4)
client = NotebookClient(nb, timeout=600, kernel_name='tslab', resources={'metadata': {'path': cwd}})
verdict = {'ok': True, 'cells': []}
with client.setup_kernel():
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != 'code':
            continue
        t = time.time()
        try:
            client.execute_cell(cell, i)
        except CellExecutionError as e:
            stderr = ''.join(o.get('text', '') for o in cell.get('outputs', []) if o.get('output_type') == 'stream' and o.get('name') == 'stderr')
            errs = [o.get('ename', '') + ': ' + o.get('evalue', '') + '\n' + '\n'.join(o.get('traceback', [])) for o in cell.get('outputs', []) if o.get('output_type') == 'error']
            verdict = {'ok': False, 'index': i, 'id': cell.get('id'), 'source': cell.source, 'stderr': stderr[-4000:], 'errors': errs, 'message': str(e)[-3000:]}
            break
        verdict['cells'].append({'id': cell.get('id'), 'seconds': round(time.time() - t, 2)})
nbformat.write(nb, out)
with open(out + '.verdict.json', 'w') as f:
    json.dump(verdict, f)
`;

/** The Python that has nbclient + the tslab kernel spec, or why there is none. */
function findJupyter(): { python: string } | { skip: string } {
  const candidates: string[] = [];
  // the interpreter of jupyter-nbconvert on PATH (e.g. Debian's /usr/bin/python3), then the usual ones
  const which = spawnSync('sh', ['-c', 'command -v jupyter-nbconvert || command -v jupyter'], { encoding: 'utf8' });
  const launcher = which.stdout?.trim();
  if (launcher) {
    try {
      const first = fs.readFileSync(launcher, 'utf8').split('\n')[0];
      if (first.startsWith('#!')) candidates.push(first.slice(2).trim().split(/\s+/)[0]);
    } catch {
      /* not a script */
    }
  }
  candidates.push('/usr/bin/python3', 'python3');
  const probe = 'import nbclient, nbformat\nfrom jupyter_client.kernelspec import KernelSpecManager\nprint("tslab" in KernelSpecManager().find_kernel_specs())';
  let why = 'no Python with nbclient and nbformat (Debian: apt-get install python3-nbclient jupyter-client python3-ipykernel)';
  for (const py of [...new Set(candidates)]) {
    const r = spawnSync(py, ['-c', probe], { encoding: 'utf8' });
    if (r.status !== 0) continue;
    if (r.stdout.trim() !== 'True') {
      why = `the tslab Jupyter kernel is not installed (${py} has nbclient; run: PATH=$PWD/node_modules/.bin:$PATH npx tslab install --python=${py})`;
      continue;
    }
    if (!fs.existsSync(path.join(BIN, 'tslab'))) return { skip: `node_modules/.bin/tslab missing (npm ci)` };
    return { python: py };
  }
  return { skip: why };
}

function runNotebook(python: string, file: string, outDir: string): Promise<{ out: string; verdict: Record<string, unknown>; seconds: number; log: string }> {
  const out = path.join(outDir, path.basename(file));
  const runner = path.join(outDir, 'run_notebook.py');
  if (!fs.existsSync(runner)) fs.writeFileSync(runner, RUNNER);
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ''}`, HRLMG_NB_BUDGET: 'tiny', HRLMG_QUIET: '1', PYDEVD_DISABLE_FILE_VALIDATION: '1' };
  delete env.HRLMG_NB_FIGURES;
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(python, [runner, file, out, NB_DIR], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const keep = (d: Buffer) => {
      log = (log + d.toString()).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), PER_NOTEBOOK_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const vf = `${out}.verdict.json`;
      if (!fs.existsSync(vf)) {
        reject(new Error(`${path.basename(file)}: the runner exited with ${code} and no verdict:\n${log}`));
        return;
      }
      resolve({ out, verdict: JSON.parse(fs.readFileSync(vf, 'utf8')) as Record<string, unknown>, seconds: (Date.now() - t0) / 1000, log });
    });
  });
}

test('notebooks are committed without outputs, every cell has an id, kernel tslab', () => {
  assert.ok(notebooks.length >= 2, `expected notebooks in ${NB_DIR}, found ${notebooks.join(', ') || 'none'}`);
  for (const f of notebooks) {
    const nb = JSON.parse(fs.readFileSync(path.join(NB_DIR, f), 'utf8')) as Notebook;
    assert.equal(nb.metadata.kernelspec?.name, 'tslab', `${f}: kernelspec must be tslab`);
    const ids = new Set<string>();
    nb.cells.forEach((c, i) => {
      assert.ok(c.id && !ids.has(c.id), `${f}: cell ${i} needs a unique id`);
      ids.add(c.id);
      if (c.cell_type === 'code') {
        assert.equal(c.execution_count ?? null, null, `${f}: cell ${c.id} has an execution count (clear outputs before committing)`);
        assert.deepEqual(c.outputs ?? [], [], `${f}: cell ${c.id} has outputs (clear outputs before committing)`);
      }
    });
  }
});

/** Names declared at the top level of a cell (tslab turns them into exports shared by all cells). */
function topLevelNames(sf: ts.SourceFile, into: Set<string>): void {
  const bind = (n: ts.BindingName): void => {
    if (ts.isIdentifier(n)) into.add(n.text);
    else for (const e of n.elements) if (!ts.isOmittedExpression(e)) bind(e.name);
  };
  for (const st of sf.statements) {
    if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) bind(d.name);
    else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isEnumDeclaration(st)) && st.name) into.add(st.name.text);
    else if (ts.isImportDeclaration(st) && st.importClause) {
      const c = st.importClause;
      if (c.name) into.add(c.name.text);
      const nb = c.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) into.add(nb.name.text);
      else if (nb) for (const e of nb.elements) into.add(e.name.text);
    }
  }
}

test('notebook cells avoid the tslab pitfall: no object shorthand {x} of another cell\'s variable (write {x: x})', () => {
  // tslab 1.0.22 rewrites references to earlier cells' top-level names as exports.<name>, but not
  // inside shorthand properties: `f({ world })` throws "ReferenceError: world is not defined".
  const problems: string[] = [];
  for (const f of notebooks) {
    const nb = JSON.parse(fs.readFileSync(path.join(NB_DIR, f), 'utf8')) as Notebook;
    const cells = nb.cells.filter((c) => c.cell_type === 'code').map((c) => ({ id: c.id, sf: ts.createSourceFile(`${c.id}.ts`, text(c.source), ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS) }));
    const perCell = cells.map((c) => {
      const own = new Set<string>();
      topLevelNames(c.sf, own);
      return own;
    });
    for (const [k, c] of cells.entries()) {
      // names declared at the top of OTHER cells (a cell's own top-level names work in shorthand)
      const foreign = (name: string): boolean => !perCell[k].has(name) && perCell.some((own, j) => j !== k && own.has(name));
      const visit = (n: ts.Node): void => {
        if (ts.isShorthandPropertyAssignment(n) && foreign(n.name.text)) {
          const { line } = c.sf.getLineAndCharacterOfPosition(n.getStart(c.sf));
          problems.push(`${f}: cell ${c.id}, line ${line + 1}: { ${n.name.text} } -> { ${n.name.text}: ${n.name.text} }`);
        }
        ts.forEachChild(n, visit);
      };
      visit(c.sf);
    }
  }
  assert.equal(problems.length, 0, `shorthand properties of top-level names fail under tslab:\n${problems.join('\n')}`);
});

test('every notebook executes on the tslab kernel without errors (HRLMG_NB_BUDGET=tiny)', { concurrency: 2, timeout: 2 * PER_NOTEBOOK_MS }, async (t) => {
  const j = findJupyter();
  if ('skip' in j) {
    t.skip(`notebooks not executed: ${j.skip}`);
    return;
  }
  if (!fs.existsSync(path.join(ROOT, 'dist', 'lib', 'index.js'))) assert.fail('dist/lib/index.js missing: run `npm run build` (the notebooks import ../dist/lib/index)');
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-notebooks-'));
  try {
    await Promise.all(
      toExecute.map((f) =>
        t.test(f, async (st) => {
          const src = path.join(NB_DIR, f);
          const before = fs.readFileSync(src, 'utf8');
          const { out, verdict, seconds, log } = await runNotebook(j.python, src, outDir);
          assert.equal(fs.readFileSync(src, 'utf8'), before, `${f}: the committed notebook was modified`);
          if (!verdict.ok) {
            const source = text(verdict.source as string | string[]);
            assert.fail(
              `${f}: cell ${verdict.id} (#${verdict.index}) failed:\n--- source ---\n${source}\n--- error ---\n` +
                `${(verdict.errors as string[]).join('\n')}\n${verdict.stderr}\n${verdict.message}\n--- runner log ---\n${log.slice(-2000)}`,
            );
          }
          const nb = JSON.parse(fs.readFileSync(out, 'utf8')) as Notebook;
          const codeCells = nb.cells.filter((c) => c.cell_type === 'code');
          assert.equal((verdict.cells as unknown[]).length, codeCells.length, `${f}: not every code cell ran`);
          // figures shown with showFigure must be in the outputs as inline plotly HTML
          if (codeCells.some((c) => text(c.source).includes('showFigure('))) {
            const html = codeCells.flatMap((c) => c.outputs ?? []).map((o) => text(o.data?.['text/html'])).filter((h) => h.includes('Plotly.newPlot'));
            assert.ok(html.length > 0, `${f}: no inline plotly figure in the outputs`);
            assert.ok(html.some((h) => h.includes('plotly.js v')), `${f}: the plotly bundle was never sent`);
          }
          const slow = (verdict.cells as Array<{ id: string; seconds: number }>).sort((a, b) => b.seconds - a.seconds).slice(0, 3);
          st.diagnostic(`${f}: ${seconds.toFixed(1)} s (slowest cells: ${slow.map((c) => `${c.id} ${c.seconds}s`).join(', ')})`);
        }),
      ),
    );
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
});
