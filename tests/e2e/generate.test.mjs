// End to end through obs-websocket: a scene of known colours is captured, the emulator receives exactly those
// pixels, the clip comes back byte for byte and plays in the scene as a Media Source; invalid input never reaches
// the provider.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { artifacts, rundir, scratch, stopAll } from './lib/env.mjs';
import { Emulator, EMULATOR_KEY } from './lib/emulator.mjs';
import { ObsStudio } from './lib/obs.mjs';
import { Xvfb } from './lib/xvfb.mjs';
import { sleep } from './lib/processes.mjs';
import { QUADRANTS, close, collectJobEvents, imageSize, makeQuadrants, pixel, sha256File, vendor, waitJob } from './lib/seedance.mjs';

const xvfb = new Xvfb();
const emu = new Emulator();
let obs;
let ws;

before(async () => {
  const display = await xvfb.start();
  await emu.start();
  await emu.scenario({ queue_seconds: 0.3, generate_seconds: 1.5 });
  obs = new ObsStudio({
    home: scratch('generate'),
    rundir,
    display,
    canvas: [1280, 720],
    env: { TOAPIS_BASE_URL: emu.baseUrl, TOAPIS_API_KEY: EMULATOR_KEY, SEEDANCE_POLL_SCALE: '0.2' },
  });
  ws = await obs.start();
  await makeQuadrants(ws, 'Scene', 1280, 720, { shotFile: path.join(artifacts, 'e2e-generate-scene.png') });
});

after(() => stopAll({ obs, emu, xvfb }, 'e2e-generate'));

test('Generate: the captured frame matches the scene, the clip plays in it byte for byte', { timeout: 120000 }, async () => {
  const events = collectJobEvents(ws);
  const answer = await vendor(ws, 'Generate', {
    prompt: 'the four colours swirl together',
    aspect_ratio: '16:9',
    resolution: '720p',
    playback: 'hold',
  });
  assert.ok(answer.job_id, JSON.stringify(answer));
  const job = await waitJob(ws, answer.job_id);
  assert.equal(job.state, 'completed', JSON.stringify(job));
  assert.equal(job.inserted, true);
  assert.equal(job.scene, 'Scene');

  // The frame the provider received is the scene, pixel for pixel (JPEG within a small tolerance).
  const [create] = await emu.requests('create');
  const frameUrl = create.json.image_with_roles[0].url;
  assert.equal(create.json.image_with_roles[0].role, 'first_frame');
  const frameFile = path.join(artifacts, 'e2e-generate-uploaded-frame.jpg');
  fs.writeFileSync(frameFile, Buffer.from(await (await fetch(frameUrl)).arrayBuffer()));
  assert.deepEqual(await imageSize(frameFile), { width: 1280, height: 720 });
  for (const q of QUADRANTS) {
    for (const [dx, dy] of [[160, 90], [20, 20], [620, 340]]) {
      const x = q.col * 640 + dx;
      const y = q.row * 360 + dy;
      const got = await pixel(frameFile, x, y);
      assert.ok(close(got, q.rgb, 12), `${q.name} at ${x},${y}: got ${got}, expected ${q.rgb}`);
    }
  }

  // The clip is a Media Source in the scene, and its file is exactly what the emulator served.
  const { sceneItems } = await ws.call('GetSceneItemList', { sceneName: 'Scene' });
  const media = sceneItems.find((i) => i.inputKind === 'ffmpeg_source');
  assert.ok(media, JSON.stringify(sceneItems));
  assert.equal(media.sourceName, job.source_name);
  const { inputSettings } = await ws.call('GetInputSettings', { inputName: media.sourceName });
  assert.equal(inputSettings.local_file, job.clip_path);
  assert.equal(inputSettings.is_local_file, true);
  const task = await emu.task(job.task_id);
  assert.equal(sha256File(job.clip_path), task.sha256);

  // It is on air: a screenshot of OBS playing it.
  await sleep(800);
  await obs.screenshot(path.join(artifacts, 'e2e-generate-playing.png'));
  const { imageData } = await ws.call('GetSourceScreenshot', { sourceName: 'Scene', imageFormat: 'png', imageWidth: 640 });
  fs.writeFileSync(path.join(artifacts, 'e2e-generate-program.png'), Buffer.from(imageData.split(',')[1], 'base64'));

  // JobUpdated followed every state.
  const states = events.filter((e) => e.job_id === answer.job_id).map((e) => e.state);
  for (const s of ['capturing', 'uploading', 'submitting', 'downloading', 'completed'])
    assert.ok(states.includes(s), `JobUpdated for ${s}: got ${states}`);

  // GetJob shows when each state was entered, in order.
  const order = ['capturing', 'encoding', 'uploading', 'submitting', 'downloading', 'inserting', 'completed'];
  for (let i = 1; i < order.length; i++) assert.ok(job.timings[order[i - 1]] <= job.timings[order[i]], JSON.stringify(job.timings));

  const { jobs } = await vendor(ws, 'ListJobs');
  assert.equal(jobs[0].job_id, answer.job_id);
});

test('invalid input answers an error and nothing reaches the provider', { timeout: 60000 }, async () => {
  await emu.admin('DELETE', '/_emu/requests');
  const bad = await vendor(ws, 'Generate', { prompt: 'too short', duration: 3 });
  assert.equal(bad.error.code, 'invalid_input');
  assert.match(bad.error.message, /Duration 3 s/);
  const types = await vendor(ws, 'Generate', { prompt: 'x', audio: 'yes' });
  assert.equal(types.error.code, 'invalid_input');
  const missing = await vendor(ws, 'Generate', { duration: 5 });
  assert.match(missing.error.message, /prompt/);
  const noScene = await vendor(ws, 'Generate', { prompt: 'x', scene: 'No Such Scene' });
  assert.equal(noScene.error.code, 'invalid_input');
  const unknown = await vendor(ws, 'GetJob', { job_id: 'job_nope' });
  assert.equal(unknown.error.code, 'not_found');
  await sleep(500);
  assert.deepEqual(await emu.requests(), []);
  const { jobs } = await vendor(ws, 'ListJobs');
  assert.equal(jobs.length, 1); // only the first test's job
  const badReset = await vendor(ws, 'GetDiagnostics', { reset: 'yes' });
  assert.equal(badReset.error.code, 'invalid_input');
  const { malloc, ...diagnostics } = await vendor(ws, 'GetDiagnostics');
  assert.deepEqual(diagnostics, { running: true, jobs_active: 0, jobs_total: 1, ui_stall_probe: false });
  // glibc's view of OBS's heap (the benchmark's memory rows): plausible sizes, in MiB.
  assert.deepEqual(Object.keys(malloc).sort(), ['free_kept_mib', 'in_use_mib', 'mmapped_mib']);
  for (const v of Object.values(malloc)) assert.ok(Number.isFinite(v) && v >= 0 && v < 4096, JSON.stringify(malloc));
  assert.ok(malloc.in_use_mib > 1, JSON.stringify(malloc));
});
