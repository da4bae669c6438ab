// The offline demo's helper (build-aux/run --demo): waits for OBS's obs-websocket, builds a demo scene the first
// time (a picture and a caption), and optionally starts a generation so the whole flow plays by itself.
//   node demo.mjs --port N --image FILE [--generate "prompt"]
import { ObsWs } from './obs-ws.mjs';

const args = process.argv.slice(2);
const arg = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const port = Number(arg('--port'));
const image = arg('--image');
const prompt = arg('--generate');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let ws;
for (let attempt = 0; ; attempt++) {
  try {
    ws = await ObsWs.connect(port);
    break;
  } catch (e) {
    if (attempt > 300) throw new Error(`OBS did not open obs-websocket on port ${port}`);
    await sleep(200);
  }
}

// obs-websocket 5.3+ (OBS 30+) answers "not ready" (207) until OBS has finished loading, and the plugin answers
// not_ready until its own start on the same event: wait for both.
for (let attempt = 0; ; attempt++) {
  try {
    await ws.call('GetSceneList');
    break;
  } catch (e) {
    if (attempt > 600) throw e;
    await sleep(100);
  }
}
for (let attempt = 0; ; attempt++) {
  const r = await ws.call('CallVendorRequest', { vendorName: 'obs-seedance', requestType: 'ListJobs' });
  if (r.responseData?.error?.code !== 'not_ready') break;
  if (attempt > 600) throw new Error('the Seedance plugin did not start');
  await sleep(100);
}

const { currentProgramSceneName: scene } = await ws.call('GetCurrentProgramScene');
const { sceneItems } = await ws.call('GetSceneItemList', { sceneName: scene });
if (sceneItems.length === 0) {
  await ws.call('CreateInput', { sceneName: scene, inputName: 'Demo picture', inputKind: 'image_source', inputSettings: { file: image } });
}
console.log(`[demo] scene "${scene}" ready`);

if (prompt) {
  await sleep(1500);
  const r = await ws.call('CallVendorRequest', { vendorName: 'obs-seedance', requestType: 'Generate', requestData: { prompt, playback: 'hold' } }); // hold: the clip's last frame stays on screen
  const id = r.responseData.job_id;
  if (!id) throw new Error(`Generate failed: ${JSON.stringify(r.responseData)}`);
  for (;;) {
    const j = (await ws.call('CallVendorRequest', { vendorName: 'obs-seedance', requestType: 'GetJob', requestData: { job_id: id } })).responseData;
    if (['completed', 'failed', 'cancelled'].includes(j.state)) {
      console.log(`[demo] job ${id}: ${j.state}${j.clip_path ? ` → ${j.clip_path}` : ''}${j.error ? ` (${j.error.message})` : ''}`);
      if (j.state !== 'completed') process.exitCode = 1;
      break;
    }
    await sleep(500);
  }
}
ws.close();
