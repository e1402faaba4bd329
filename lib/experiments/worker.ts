/**
 * Worker-thread entry of JobPool: initialises its own TF.js backend (on the first job), keeps a
 * JobContext (loaded dataset / simulator / world) across jobs, runs one job at a time.
 */
import { parentPort } from 'node:worker_threads';
import { executeJob, JobContext, type Job } from './jobs';
import { serializeError } from './pool';

const port = parentPort;
if (!port) throw new Error('lib/experiments/worker.js must run as a worker thread (see JobPool)');
const ctx = new JobContext();

port.on('message', (m: { type: 'job'; job: Job }) => {
  if (m.type !== 'job') return;
  const id = m.job.id;
  executeJob(m.job, ctx, (units) => port.postMessage({ type: 'progress', id, units })).then(
    (result) => port.postMessage({ type: 'done', id, result }),
    (e: unknown) => port.postMessage({ type: 'error', id, error: serializeError(e) }),
  );
});
