// Quitting OBS while clips play, under AddressSanitizer: once, hold and loop clips playing in a scene (Media Sources
// the plugin added) and in three Seedance Clip slots when Ctrl+Q arrives. OBS destroys every source before it tells
// the plugin that it exits; nothing the plugin holds may outlive them. The plugin is the ASan build
// (SEEDANCE_ASAN_RUNDIR, made by build-aux/test) and OBS runs with the sanitizer runtime preloaded, so a use after
// free anywhere in the plugin (or in what it makes OBS do) is a report, and any report fails the test.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { scratch, stopAll } from './lib/env.mjs';
import { Emulator, EMULATOR_KEY } from './lib/emulator.mjs';
import { installedObs, ObsStudio } from './lib/obs.mjs';
import { Xvfb } from './lib/xvfb.mjs';
import { run } from './lib/processes.mjs';
import { vendor, waitJob, waitMediaState } from './lib/seedance.mjs';

const asanRundir = process.env.SEEDANCE_ASAN_RUNDIR;
const xvfb = new Xvfb();
const emu = new Emulator({ args: ['--clip-mode', 'from-frame', '--max-clip-seconds', '12'] });
const reports = scratch('asan-reports');
let obs;

before(async () => {
  assert.ok(asanRundir && fs.existsSync(asanRundir), `SEEDANCE_ASAN_RUNDIR (${asanRundir}) is the ASan build's plugin`);
  const runtime = (await run('gcc', ['-print-file-name=libasan.so'])).stdout.trim();
  assert.ok(runtime.startsWith('/') && fs.existsSync(runtime), `the ASan runtime: ${runtime}`);
  const display = await xvfb.start();
  await emu.start();
  await emu.scenario({ queue_seconds: 0.2, generate_seconds: 0.5 });
  obs = new ObsStudio({
    home: scratch('asan-exit'),
    rundir: asanRundir,
    display,
    env: {
      TOAPIS_BASE_URL: emu.baseUrl,
      TOAPIS_API_KEY: EMULATOR_KEY,
      SEEDANCE_POLL_SCALE: '0.2',
      LD_PRELOAD: runtime,
      // OBS, Qt and Mesa keep memory until exit on purpose: leaks are OBS's own count below, not LeakSanitizer's.
      // OBS's frontend has a use after free of its own when it quits (asan-obs.supp says which, and how it was told
      // apart from the plugin's).
      ASAN_OPTIONS: [
        'detect_leaks=0:halt_on_error=1:abort_on_error=1',
        `suppressions=${fileURLToPath(new URL('asan-obs.supp', import.meta.url))}`,
        `log_path=${path.join(reports, 'asan')}`,
      ].join(':'),
    },
  });
});

after(() => stopAll({ obs, emu, xvfb }, 'e2e-asan-exit'));

function sanitizerReports() {
  return fs
    .readdirSync(reports)
    .map((f) => fs.readFileSync(path.join(reports, f), 'utf8'))
    .join('\n');
}

test('Ctrl+Q while once, hold and loop clips play in a scene and in slots: no sanitizer report, no leak', { timeout: 200000 }, async () => {
  const ws = await obs.start({ timeoutMs: 120000 });
  await ws.call('CreateInput', {
    sceneName: 'Scene',
    inputName: 'Backdrop',
    inputKind: 'color_source_v3',
    inputSettings: { color: 0xff3080e0, width: 1280, height: 720 },
  });
  for (const playback of ['once', 'hold', 'loop']) {
    await ws.call('CreateInput', {
      sceneName: 'Scene',
      inputName: `Slot ${playback}`,
      inputKind: 'seedance_clip',
      inputSettings: { width: 320, height: 180, playback },
    });
  }
  // Hold and loop first (4 s clips); the once clips last, 12 s long, so that they are still playing when OBS is asked
  // to quit.
  const generate = async (playbacks) => {
    const ids = [];
    for (const playback of playbacks) {
      const base = { duration: playback === 'once' ? 12 : 4, resolution: '480p', playback };
      ids.push((await vendor(ws, 'Generate', { ...base, prompt: `scene ${playback}`, scene: 'Scene' })).job_id);
      ids.push((await vendor(ws, 'Generate', { ...base, prompt: `slot ${playback}`, slot: `Slot ${playback}` })).job_id);
    }
    for (const id of ids) {
      assert.ok(id, 'every Generate was accepted');
      const job = await waitJob(ws, id, undefined, 150000);
      assert.equal(job.state, 'completed', JSON.stringify(job));
      assert.equal(job.inserted, true, JSON.stringify(job));
    }
  };
  await generate(['hold', 'loop']);
  await generate(['once']);
  const { sceneItems } = await ws.call('GetSceneItemList', { sceneName: 'Scene' });
  const onceInScene = sceneItems.find((i) => i.sourceName.startsWith('Seedance: scene once'));
  assert.ok(onceInScene, `the once clip is in the scene: ${sceneItems.map((i) => i.sourceName)}`);
  // Playing, not merely added: the Media Sources open their files on OBS's media thread, seconds later under ASan on
  // a busy machine (seen once as OBS_MEDIA_STATE_NONE). The once clips last 12 s, plenty for this.
  for (const name of [onceInScene.sourceName, 'Slot once', 'Slot loop'])
    await waitMediaState(ws, name, 'OBS_MEDIA_STATE_PLAYING', 10000);

  const { clean, ms, exit } = await obs.stop({ timeoutMs: 30000 });
  const found = sanitizerReports();
  assert.equal(found, '', `AddressSanitizer reported (OBS ${installedObs().text}):\n${found.slice(0, 6000)}`);
  assert.ok(clean, `OBS exited cleanly (${ms} ms, ${JSON.stringify(exit)})`);
  const log = obs.logText();
  assert.match(log, /job runner stopped in \d+ ms/);
  assert.match(log.trimEnd().split('\n').slice(-3).join('\n'), /Number of memory leaks: 0/);
});
