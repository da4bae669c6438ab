// Helpers for driving the plugin through obs-websocket in end-to-end tests.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { run, sleep } from './processes.mjs';

export const VENDOR = 'obs-seedance';

export async function vendor(ws, requestType, requestData = {}) {
  // obs-websocket 5.1 refuses an empty requestData object: leave it out instead.
  const call = { vendorName: VENDOR, requestType };
  if (Object.keys(requestData).length) call.requestData = requestData;
  const r = await ws.call('CallVendorRequest', call);
  return r.responseData;
}

// Polls GetJob until `done(job)` is true; fails after `timeoutMs`.
export async function waitJob(ws, jobId, done = (j) => ['completed', 'failed', 'cancelled'].includes(j.state), timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  let job;
  while (Date.now() < deadline) {
    job = await vendor(ws, 'GetJob', { job_id: jobId });
    if (done(job)) return job;
    await sleep(200);
  }
  throw new Error(`job ${jobId} did not get there in time; last: ${JSON.stringify(job)}`);
}

// Polls GetMediaInputStatus until the input's state is one of `states` (OBS_MEDIA_STATE_*); returns it, or fails after
// `timeoutMs` naming the last state seen. A Media Source opens its file on OBS's media thread after the item is added,
// later still on a loaded machine: never read a state once and expect it.
export async function waitMediaState(ws, inputName, states, timeoutMs = 20000) {
  const wanted = [states].flat();
  const deadline = Date.now() + timeoutMs;
  let state;
  for (;;) {
    state = (await ws.call('GetMediaInputStatus', { inputName })).mediaState;
    if (wanted.includes(state)) return state;
    if (Date.now() > deadline) throw new Error(`${inputName} did not reach ${wanted.join(' or ')} in ${timeoutMs} ms: ${state}`);
    await sleep(100);
  }
}

// Collects the plugin's JobUpdated vendor events.
export function collectJobEvents(ws) {
  const events = [];
  ws.on('VendorEvent', ({ vendorName, eventType, eventData }) => {
    if (vendorName === VENDOR && eventType === 'JobUpdated') events.push(eventData);
  });
  return events;
}

// Four colour quadrants filling the canvas: red, green / blue, white (color_source_v3 takes ABGR).
export const QUADRANTS = [
  { name: 'Q-red', color: 0xff0000ff, rgb: [255, 0, 0], col: 0, row: 0 },
  { name: 'Q-green', color: 0xff00ff00, rgb: [0, 255, 0], col: 1, row: 0 },
  { name: 'Q-blue', color: 0xffff0000, rgb: [0, 0, 255], col: 0, row: 1 },
  { name: 'Q-white', color: 0xffffffff, rgb: [255, 255, 255], col: 1, row: 1 },
];

// Adds the quadrants and returns once OBS renders all four where they belong (a screenshot of the scene shows each
// colour at its quadrant's centre), so a test that captures the scene next captures what it set up. Fails after
// `timeoutMs` naming what the scene showed instead; the last screenshot is kept as `shotFile` when given.
export async function makeQuadrants(ws, sceneName, width, height, { timeoutMs = 20000, shotFile } = {}) {
  for (const q of QUADRANTS) {
    const { sceneItemId } = await ws.call('CreateInput', {
      sceneName,
      inputName: q.name,
      inputKind: 'color_source_v3',
      inputSettings: { color: q.color, width: width / 2, height: height / 2 },
    });
    await ws.call('SetSceneItemTransform', {
      sceneName,
      sceneItemId,
      sceneItemTransform: { positionX: (q.col * width) / 2, positionY: (q.row * height) / 2 },
    });
  }
  const file = shotFile ?? `${fs.mkdtempSync('/tmp/seedance-quadrants-')}/scene.png`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { imageData } = await ws.call('GetSourceScreenshot', { sourceName: sceneName, imageFormat: 'png', imageWidth: width, imageHeight: height });
    fs.writeFileSync(file, Buffer.from(imageData.split(',')[1], 'base64'));
    const seen = [];
    for (const q of QUADRANTS) {
      const got = await pixel(file, Math.round(((q.col + 0.5) * width) / 2), Math.round(((q.row + 0.5) * height) / 2));
      if (!close(got, q.rgb, 12)) seen.push(`${q.name}: ${got}`);
    }
    if (!seen.length) return;
    if (Date.now() > deadline) throw new Error(`scene ${sceneName} did not show the quadrants in ${timeoutMs} ms (${seen.join('; ')}; see ${file})`);
    await sleep(100);
  }
}

// The colour of one pixel of an image file, through ImageMagick: [r, g, b].
export async function pixel(file, x, y) {
  const r = await run('convert', [file, '-format', `%[pixel:p{${x},${y}}]`, 'info:']);
  const m = r.stdout.match(/(\d+(?:\.\d+)?)%?,\s*(\d+(?:\.\d+)?)%?,\s*(\d+(?:\.\d+)?)%?/);
  if (!m) throw new Error(`cannot read pixel ${x},${y} of ${file}: ${r.stdout} ${r.stderr}`);
  const pct = r.stdout.includes('%');
  return [m[1], m[2], m[3]].map((v) => Math.round(pct ? (Number(v) * 255) / 100 : Number(v)));
}

export async function imageSize(file) {
  const r = await run('identify', ['-format', '%w %h', file]);
  const [w, h] = r.stdout.trim().split(' ').map(Number);
  return { width: w, height: h };
}

export function sha256File(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

export function close(actual, expected, tolerance = 10) {
  return actual.every((v, i) => Math.abs(v - expected[i]) <= tolerance);
}
