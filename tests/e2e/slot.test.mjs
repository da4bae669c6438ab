// The Seedance Clip slot in real OBS: added to a scene over obs-websocket like any source, positioned and scaled,
// it receives a generated clip through Generate {slot}; the program shows the clip inside the slot's rectangle
// (letterboxed, the bars transparent), and the slot's saved settings hold no secret.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { artifacts, rundir, scratch, stopAll } from './lib/env.mjs';
import { Emulator, EMULATOR_KEY } from './lib/emulator.mjs';
import { ObsStudio } from './lib/obs.mjs';
import { Xvfb } from './lib/xvfb.mjs';
import { run, sleep } from './lib/processes.mjs';
import { close, pixel, vendor, waitJob, waitMediaState } from './lib/seedance.mjs';

const xvfb = new Xvfb();
const emu = new Emulator();
let obs;
let ws;

const BACKDROP = [64, 64, 64];
// The slot is 4:3 (640x480 in its own pixels), drawn at half size at (600, 300): 320x240 on the canvas. The
// 16:9 clip letterboxes into 320x180 at (600, 330), with transparent bars above and below.
const SLOT = { x: 600, y: 300, w: 320, h: 240 };
const CLIP = { x: 600, y: 330, w: 320, h: 180 };

before(async () => {
  const display = await xvfb.start();
  await emu.start();
  await emu.scenario({ queue_seconds: 0.3, generate_seconds: 1.0 });
  obs = new ObsStudio({
    home: scratch('slot'),
    rundir,
    display,
    canvas: [1280, 720],
    env: { TOAPIS_BASE_URL: emu.baseUrl, TOAPIS_API_KEY: EMULATOR_KEY, SEEDANCE_POLL_SCALE: '0.2' },
  });
  ws = await obs.start();
  await ws.call('CreateInput', {
    sceneName: 'Scene',
    inputName: 'Backdrop',
    inputKind: 'color_source_v3',
    inputSettings: { color: 0xff404040, width: 1280, height: 720 },
  });
});

after(() => stopAll({ obs, emu, xvfb }, 'e2e-slot'));

async function programPng(file) {
  const { imageData } = await ws.call('GetSourceScreenshot', { sourceName: 'Scene', imageFormat: 'png', imageWidth: 1280 });
  fs.writeFileSync(file, Buffer.from(imageData.split(',')[1], 'base64'));
  return file;
}

// Root-mean-square difference (0..1) between a region of the program and a reference image of the same size.
async function regionDifference(program, region, reference) {
  const crop = `${region.w}x${region.h}+${region.x}+${region.y}`;
  const r = await run('compare', ['-metric', 'RMSE', '(', program, '-crop', crop, '+repage', ')', reference, 'null:']);
  const m = r.stderr.match(/\(([\d.e-]+)\)/);
  if (!m) throw new Error(`compare: ${r.stdout} ${r.stderr}`);
  return Number(m[1]);
}

test('a Seedance Clip placed in the layout receives a clip from Generate {slot}', { timeout: 150000 }, async () => {
  const { inputKinds } = await ws.call('GetInputKindList', { unversioned: false });
  assert.ok(inputKinds.includes('seedance_clip'), `seedance_clip registered: ${inputKinds}`);

  const { sceneItemId } = await ws.call('CreateInput', {
    sceneName: 'Scene',
    inputName: 'Reaction Slot',
    inputKind: 'seedance_clip',
    inputSettings: { width: 640, height: 480, playback: 'hold' },
  });
  await ws.call('SetSceneItemTransform', {
    sceneName: 'Scene',
    sceneItemId,
    sceneItemTransform: { positionX: SLOT.x, positionY: SLOT.y, scaleX: 0.5, scaleY: 0.5 },
  });
  const { sceneItemTransform } = await ws.call('GetSceneItemTransform', { sceneName: 'Scene', sceneItemId });
  assert.equal(sceneItemTransform.width, SLOT.w);
  assert.equal(sceneItemTransform.height, SLOT.h);

  // Idle: the slot is transparent, the backdrop shows through its whole rectangle.
  await sleep(300);
  const idle = await programPng(path.join(artifacts, 'e2e-slot-idle.png'));
  assert.ok(close(await pixel(idle, SLOT.x + 160, SLOT.y + 120), BACKDROP, 6), 'idle slot is transparent');

  // A slot that does not exist is refused before anything is spent.
  const wrong = await vendor(ws, 'Generate', { prompt: 'no such slot', slot: 'Backdrop' });
  assert.equal(wrong.error.code, 'invalid_input', JSON.stringify(wrong));
  assert.deepEqual(await emu.requests('create'), []);

  const answer = await vendor(ws, 'Generate', { prompt: 'a clip for the slot', slot: 'Reaction Slot', playback: 'hold' });
  assert.ok(answer.job_id, JSON.stringify(answer));
  const job = await waitJob(ws, answer.job_id);
  assert.equal(job.state, 'completed', JSON.stringify(job));
  assert.equal(job.inserted, true);
  assert.equal(job.source_name, 'Reaction Slot');

  // No new item: the clip plays inside the slot, which holds its last frame once it ends.
  const { sceneItems } = await ws.call('GetSceneItemList', { sceneName: 'Scene' });
  assert.deepEqual(sceneItems.map((i) => i.sourceName).sort(), ['Backdrop', 'Reaction Slot']);
  await waitMediaState(ws, 'Reaction Slot', 'OBS_MEDIA_STATE_ENDED', 30000);
  await sleep(300);
  const program = await programPng(path.join(artifacts, 'e2e-slot-program.png'));
  await obs.screenshot(path.join(artifacts, 'e2e-slot-obs.png'));

  // The clip's own last frame, at the size it has on the canvas: the program shows it in the slot's rectangle.
  const lastFrame = path.join(artifacts, 'e2e-slot-last-frame.png');
  const ff = await run('ffmpeg', ['-y', '-loglevel', 'error', '-sseof', '-0.2', '-i', job.clip_path, '-update', '1',
    '-vf', `scale=${CLIP.w}:${CLIP.h}`, lastFrame]);
  assert.equal(ff.code, 0, ff.stderr);
  const inside = await regionDifference(program, CLIP, lastFrame);
  assert.ok(inside < 0.15, `the slot's rectangle shows the clip (RMSE ${inside})`);
  for (const dx of [-40, 40]) {
    const shifted = await regionDifference(program, { ...CLIP, x: CLIP.x + dx }, lastFrame);
    assert.ok(shifted > 0.4, `40 px off the slot's rectangle is not the clip (RMSE ${shifted})`);
  }
  // Letterbox bars are transparent; outside the slot the backdrop is untouched.
  for (const [x, y] of [[SLOT.x + 160, SLOT.y + 10], [SLOT.x + 160, SLOT.y + SLOT.h - 10], [100, 100], [1200, 650]])
    assert.ok(close(await pixel(program, x, y), BACKDROP, 6), `backdrop at ${x},${y}`);

  // The slot's settings (as the scene collection will save them) hold no key and no signed URL.
  const { inputSettings } = await ws.call('GetInputSettings', { inputName: 'Reaction Slot' });
  const saved = JSON.stringify(inputSettings);
  assert.ok(!saved.includes(EMULATOR_KEY));
  assert.ok(!/api_key|token|sig=/i.test(saved), saved);
});

test('the scene collection saved on exit keeps the slot and no secret', { timeout: 60000 }, async () => {
  const { clean } = await obs.stop();
  assert.ok(clean);
  const collection = path.join(obs.configDir, 'basic', 'scenes', `${obs.name}.json`);
  const text = fs.readFileSync(collection, 'utf8');
  const slot = JSON.parse(text).sources.find((s) => s.id === 'seedance_clip');
  assert.ok(slot, 'the slot is saved');
  assert.equal(slot.name, 'Reaction Slot');
  assert.equal(slot.settings.width, 640);
  assert.ok(!text.includes(EMULATOR_KEY), 'no key in the scene collection');
  const sig = (await emu.tasks())[0].sig;
  assert.ok(!text.includes(sig), 'no signed URL in the scene collection');
});
