// A paid generation survives an OBS crash: SIGKILL while generating, restart, the job resumes and completes, the
// task was submitted exactly once.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { rundir, scratch, stopAll } from './lib/env.mjs';
import { Emulator, EMULATOR_KEY } from './lib/emulator.mjs';
import { ObsStudio } from './lib/obs.mjs';
import { Xvfb } from './lib/xvfb.mjs';
import { sleep } from './lib/processes.mjs';
import { sha256File, vendor, waitJob } from './lib/seedance.mjs';

const xvfb = new Xvfb();
const emu = new Emulator();
let obs;

before(async () => {
  const display = await xvfb.start();
  await emu.start();
  obs = new ObsStudio({
    home: scratch('crash'),
    rundir,
    display,
    env: { TOAPIS_BASE_URL: emu.baseUrl, TOAPIS_API_KEY: EMULATOR_KEY, SEEDANCE_POLL_SCALE: '0.2' },
  });
});

after(() => stopAll({ obs, emu, xvfb }, 'e2e-crash'));

async function journaledAs(jobId, state, timeoutMs = 10000) {
  const file = path.join(obs.configDir, 'plugin_config', 'obs-seedance', 'jobs.json');
  const deadline = Date.now() + timeoutMs;
  let seen;
  for (;;) {
    try {
      seen = JSON.parse(fs.readFileSync(file, 'utf8')).jobs.find((j) => j.id === jobId)?.state;
    } catch {
      seen = undefined; // not written yet (it is replaced atomically, never seen half-written)
    }
    if (seen === state) return;
    if (Date.now() > deadline) throw new Error(`${file}: job ${jobId} is ${seen}, not ${state}, after ${timeoutMs} ms`);
    await sleep(50);
  }
}

test('SIGKILL while generating: after a restart the job resumes and completes, submitted once', { timeout: 180000 }, async () => {
  // The task sits at 50 % until we complete it by hand.
  await emu.scenario({ queue_seconds: 0.2, progress_mode: 'stall' });
  let ws = await obs.start();
  const { job_id } = await vendor(ws, 'Generate', { prompt: 'survive the crash', scene: '' });
  assert.ok(job_id);
  const generating = await waitJob(ws, job_id, (j) => j.state === 'generating');
  // What a crash leaves is the journal, written a moment after the state is shown: kill OBS once it is on disk.
  await journaledAs(job_id, 'generating');
  await obs.crash();

  await emu.complete(generating.task_id);
  ws = await obs.start();
  const job = await waitJob(ws, job_id);
  assert.equal(job.state, 'completed', JSON.stringify(job));
  assert.equal(job.task_id, generating.task_id);
  assert.ok(fs.existsSync(job.clip_path), job.clip_path);
  assert.equal(sha256File(job.clip_path), (await emu.task(job.task_id)).sha256);
  assert.equal((await emu.requests('create')).length, 1);
  assert.match(obs.logText() || obs.stdout, /resumes \(generating/);
});
