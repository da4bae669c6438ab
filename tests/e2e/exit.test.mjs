// Exit: with three jobs in flight and a server that stalls, Ctrl+Q closes OBS within 3 s, cleanly, without leaks.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { rundir, scratch, stopAll } from './lib/env.mjs';
import { Emulator, EMULATOR_KEY } from './lib/emulator.mjs';
import { ObsStudio } from './lib/obs.mjs';
import { Xvfb } from './lib/xvfb.mjs';
import { sleep } from './lib/processes.mjs';
import { vendor, waitJob } from './lib/seedance.mjs';

const xvfb = new Xvfb();
const emu = new Emulator();
let obs;

before(async () => {
  const display = await xvfb.start();
  await emu.start();
  obs = new ObsStudio({
    home: scratch('exit'),
    rundir,
    display,
    env: { TOAPIS_BASE_URL: emu.baseUrl, TOAPIS_API_KEY: EMULATOR_KEY, SEEDANCE_POLL_SCALE: '0.2' },
  });
});

after(() => stopAll({ obs, emu, xvfb }, 'e2e-exit'));

test('Ctrl+Q with three jobs in flight and a stalling server: closed within 3 s, no leaks', { timeout: 120000 }, async () => {
  await emu.scenario({ queue_seconds: 0.2 });
  const ws = await obs.start();
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push((await vendor(ws, 'Generate', { prompt: `stall ${i}`, scene: '' })).job_id);
  for (const id of ids) await waitJob(ws, id, (j) => j.state === 'queued' || j.state === 'generating');
  // From now on every status query hangs.
  await emu.script('query', [{ hang: true, repeat: 1000 }]);
  await sleep(1500);
  const { clean, ms } = await obs.stop({ timeoutMs: 10000 });
  const log = obs.logText();
  assert.ok(clean, `OBS exited cleanly (${ms} ms)`);
  assert.ok(ms < 3000, `closed in ${ms} ms`);
  const stopped = log.match(/job runner stopped in (\d+) ms/);
  assert.ok(stopped, 'the runner logged its shutdown');
  assert.ok(Number(stopped[1]) < 1000, `every plugin thread joined within a second (${stopped[1]} ms)`);
  assert.match(log, /Number of memory leaks: 0/);
  assert.doesNotMatch(log, /crash|Segmentation/i);
});
