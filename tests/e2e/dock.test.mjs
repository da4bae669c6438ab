// Through the real dock in real OBS: shown on the plugin's first start, a prompt typed with xdotool, Ctrl+Enter → the job
// completes and the clip is in the scene.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { artifacts, rundir, scratch, stopAll } from './lib/env.mjs';
import { Emulator, EMULATOR_KEY } from './lib/emulator.mjs';
import { installedObs, ObsStudio } from './lib/obs.mjs';
import { Xvfb } from './lib/xvfb.mjs';
import { run, sleep } from './lib/processes.mjs';
import { vendor, waitJob } from './lib/seedance.mjs';

const xvfb = new Xvfb();
const emu = new Emulator({ args: ['--clip-mode', 'from-frame'] });
let obs;

before(async () => {
  const display = await xvfb.start();
  await emu.start();
  await emu.scenario({ queue_seconds: 0.3, generate_seconds: 1.5 });
  obs = new ObsStudio({
    home: scratch('dock'),
    rundir,
    display,
    env: { TOAPIS_BASE_URL: emu.baseUrl, TOAPIS_API_KEY: EMULATOR_KEY, SEEDANCE_POLL_SCALE: '0.2' },
  });
});

after(() => stopAll({ obs, emu, xvfb }, 'e2e-dock'));

test('a prompt typed into the real dock and Ctrl+Enter put a clip on air', { timeout: 120000 }, async () => {
  const ws = await obs.start();
  await ws.call('CreateInput', {
    sceneName: 'Scene',
    inputName: 'Backdrop',
    inputKind: 'color_source_v3',
    inputSettings: { color: 0xff3080e0, width: 1280, height: 720 },
  });
  await obs.waitForDock(); // the dock shows itself on the plugin's first start

  // The dock sits in the right column of a fresh layout, docked in OBS's window: no window of its own (OBS 30+ adds
  // plugin docks floating, which without a window manager lands over the menu bar). Its prompt box is the first
  // thing in it: the click below types into it only if it is there.
  const window = await obs.mainWindow();
  const env = { ...process.env, DISPLAY: obs.display };
  await obs.screenshot(path.join(artifacts, `e2e-dock-first-start-obs${installedObs().major}.png`));
  const floating = await run('xdotool', ['search', '--all', '--onlyvisible', '--pid', String(obs.child.pid), '--name', '^Seedance$'], { env });
  assert.equal(floating.stdout.trim(), '', `OBS ${installedObs().text}: the dock is a floating window of its own`);
  const geometry = await run('xdotool', ['getwindowgeometry', '--shell', window], { env });
  const width = Number(geometry.stdout.match(/WIDTH=(\d+)/)[1]);
  await run('xdotool', ['mousemove', '--window', window, String(width - 180), '90', 'click', '1'], { env });
  await sleep(300);
  await obs.type('the backdrop ripples like water');
  await sleep(300);
  await run('xdotool', ['key', '--clearmodifiers', 'ctrl+Return'], { env });

  let jobs = [];
  // A bound, not a pace: the dock submits once OBS's event loop has taken the keys, later on a loaded machine.
  for (let i = 0; i < 200 && jobs.length === 0; i++) {
    await sleep(100);
    jobs = (await vendor(ws, 'ListJobs')).jobs;
  }
  await obs.screenshot(path.join(artifacts, 'e2e-dock-generating.png'));
  assert.equal(jobs.length, 1, 'the dock started a job');
  assert.equal(jobs[0].prompt, 'the backdrop ripples like water');
  const job = await waitJob(ws, jobs[0].job_id);
  assert.equal(job.state, 'completed', JSON.stringify(job));
  assert.equal(job.inserted, true);
  await sleep(500);
  await obs.screenshot(path.join(artifacts, 'e2e-dock-completed.png'));
  const { sceneItems } = await ws.call('GetSceneItemList', { sceneName: 'Scene' });
  assert.ok(sceneItems.some((i) => i.sourceName === job.source_name));
});
