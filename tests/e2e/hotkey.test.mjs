// The hotkey "Seedance: generate a clip from the current frame": registered, triggers a generation with the dock's
// prompt, and its binding survives a restart.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { rundir, scratch, stopAll } from './lib/env.mjs';
import { Emulator, EMULATOR_KEY } from './lib/emulator.mjs';
import { ObsStudio } from './lib/obs.mjs';
import { Xvfb } from './lib/xvfb.mjs';
import { run, sleep } from './lib/processes.mjs';
import { vendor, waitJob } from './lib/seedance.mjs';

const xvfb = new Xvfb();
const emu = new Emulator();
let obs;
let configFile;

before(async () => {
  const display = await xvfb.start();
  await emu.start();
  await emu.scenario({ queue_seconds: 0.2, generate_seconds: 0.5 });
  obs = new ObsStudio({
    home: scratch('hotkey'),
    rundir,
    display,
    env: { TOAPIS_BASE_URL: emu.baseUrl, TOAPIS_API_KEY: EMULATOR_KEY, SEEDANCE_POLL_SCALE: '0.2' },
  });
  // A streamer bound Ctrl+Alt+G in OBS's hotkey settings in an earlier session.
  const pluginConfig = path.join(obs.configDir, 'plugin_config', 'obs-seedance');
  fs.mkdirSync(pluginConfig, { recursive: true });
  configFile = path.join(pluginConfig, 'config.json');
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      recent_prompts: [],
      hotkey_generate: [{ key: 'OBS_KEY_G', control: true, alt: true, shift: false, command: false }],
    }),
    { mode: 0o600 },
  );
});

after(() => stopAll({ obs, emu, xvfb }, 'e2e-hotkey'));

async function typePrompt(text) {
  const window = await obs.mainWindow();
  const env = { ...process.env, DISPLAY: obs.display };
  const geometry = await run('xdotool', ['getwindowgeometry', '--shell', window], { env });
  const width = Number(geometry.stdout.match(/WIDTH=(\d+)/)[1]);
  await run('xdotool', ['mousemove', '--window', window, String(width - 180), '90', 'click', '1'], { env });
  await sleep(200);
  await run('xdotool', ['key', 'ctrl+a'], { env });
  await obs.type(text);
}

async function pressHotkey() {
  // OBS polls the keyboard every 25 ms: hold the keys long enough to be seen.
  const env = { ...process.env, DISPLAY: obs.display };
  await run('xdotool', ['keydown', 'ctrl+alt+g'], { env });
  await sleep(250);
  await run('xdotool', ['keyup', 'ctrl+alt+g'], { env });
}

async function jobsAfter(ws, count) {
  for (let i = 0; i < 200; i++) {
    const { jobs } = await vendor(ws, 'ListJobs');
    if (jobs.length >= count) return jobs;
    await sleep(100);
  }
  return (await vendor(ws, 'ListJobs')).jobs;
}

test('the bound hotkey generates from the dock, and the binding survives a restart', { timeout: 180000 }, async () => {
  let ws = await obs.start();
  const { hotkeys } = await ws.call('GetHotkeyList');
  assert.ok(hotkeys.includes('obs-seedance.generate'), 'registered with OBS');
  await obs.waitForDock();
  await typePrompt('hotkey one');
  await pressHotkey();
  let jobs = await jobsAfter(ws, 1);
  assert.equal(jobs.length, 1, 'the hotkey started a job');
  assert.equal(jobs[0].prompt, 'hotkey one');
  assert.equal((await waitJob(ws, jobs[0].job_id)).state, 'completed');
  assert.ok((await obs.stop()).clean);
  const saved = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  assert.ok(JSON.stringify(saved.hotkey_generate).includes('OBS_KEY_G'), 'the binding was saved at exit');
  assert.equal(fs.statSync(configFile).mode & 0o777, 0o600);

  ws = await obs.start();
  await obs.waitForDock();
  await typePrompt('hotkey two');
  await pressHotkey();
  jobs = await jobsAfter(ws, 2);
  assert.equal(jobs.length, 2, 'the binding works after a restart');
  assert.equal(jobs[0].prompt, 'hotkey two');
  // TriggerHotkeyByName reaches the same action (Stream Deck's "hotkey" actions use it).
  await ws.call('TriggerHotkeyByName', { hotkeyName: 'obs-seedance.generate' });
  assert.equal((await jobsAfter(ws, 3)).length, 3);
});
