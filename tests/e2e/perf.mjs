// The performance command (README "Performance", run by build-aux/bench): real OBS under Xvfb at 1080p30 with and
// without the plugin, the core benchmarks, and one table with our figure, the reference measured in the same run,
// and the ratio. It prints numbers and never fails on a missed goal: it exits non-zero only when a measurement
// itself breaks (OBS does not start, a job fails that should not, ...). --smoke shortens every window so CI
// proves that the command still works.
//
//   node tests/e2e/perf.mjs --build build_qt5 [--smoke] [--out DIR] [--only plugin,stall]
//
// --only runs just the named OBS phases (reference, plugin, stall) and writes their raw results, no table: for
// looking into one figure without the whole run. --table-from FILE prints the table of an earlier results.json.
//
// Environment: SEEDANCE_RUNDIR (the built plugin folder), SEEDANCE_SOURCE_DIR, SEEDANCE_ARTIFACTS (set by
// build-aux/bench and CTest).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rundir, scratch, sourceDir } from './lib/env.mjs';
import { Emulator, EMULATOR_KEY } from './lib/emulator.mjs';
import { installedObs, ObsStudio } from './lib/obs.mjs';
import { run, sleep } from './lib/processes.mjs';
import { makeQuadrants, vendor } from './lib/seedance.mjs';
import { Xvfb } from './lib/xvfb.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const smoke = args.includes('--smoke');
const only = option('--only', null)?.split(',');
const buildDir = path.resolve(option('--build', path.join(sourceDir, 'build_qt5')));
const outDir = path.resolve(option('--out', path.join(buildDir, 'bench')));
fs.mkdirSync(outDir, { recursive: true });

// Durations (seconds). Full: long enough that a 2 % CPU difference is above the noise of a 30 s window.
const T = smoke
  ? { warm: 2, window: 4, windows: 1, clicks: 2, onAir: 1, stallIdle: 2, scaleJobs: 20, scaleWindow: 4, gapWindows: 2, clipMiB: 20, slowRuns: 1 }
  : { warm: 8, window: 30, windows: 2, clicks: 4, onAir: 3, stallIdle: 15, scaleJobs: 20, scaleWindow: 30, gapWindows: 3, clipMiB: 200, slowRuns: 5 };
const CANVAS = [1920, 1080];
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

const log = (...a) => console.error('[bench]', ...a);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

function cpuTicks(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15 of proc(5))
}

// CPU ticks per thread of `pid`: tid → {name, ticks}.
function threadTicks(pid) {
  const out = new Map();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, { name, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      /* the thread ended */
    }
  }
  return out;
}

// % of one core used by the threads whose name matches `pattern` between two threadTicks() readings.
function threadsPct(before, after, pattern, seconds) {
  let ticks = 0;
  for (const [tid, t] of after) if (pattern.test(t.name)) ticks += t.ticks - (before.get(tid)?.ticks ?? 0);
  return (ticks / CLK_TCK / seconds) * 100;
}

// The same, split by who spends it: OBS's UI thread (the main thread: tid == pid), its graphics thread, the plugin's
// own threads, and everything else (llvmpipe's rasterizer threads, audio, obs-websocket, ...).
function threadGroups(before, after, pid, seconds) {
  const group = (tid, name) =>
    tid === String(pid) ? 'ui' : /^libobs: graph/.test(name) ? 'graphics' : /^seedance-/.test(name) ? 'plugin' : 'other';
  const out = { ui: 0, graphics: 0, plugin: 0, other: 0 };
  for (const [tid, t] of after) out[group(tid, t.name)] += t.ticks - (before.get(tid)?.ticks ?? 0);
  for (const k of Object.keys(out)) out[k] = (out[k] / CLK_TCK / seconds) * 100;
  return out;
}

function rssMiB(pid) {
  const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : NaN;
}

// One measurement window of an OBS process: average render time (OBS's own moving average, sampled every
// second), frames rendered and lagged (renderSkippedFrames: "missed due to rendering lag"), CPU in % of one
// core from /proc, peak RSS. With gapWindows > 0 (the stall probe on), the window is cut into that many equal parts
// and `gaps` holds each part's longest UI gap: one number per part shows whether a long gap is a one-off.
async function measure(obs, seconds, gapWindows = 0) {
  const pid = obs.child.pid;
  const s0 = await obs.ws.call('GetStats');
  const c0 = cpuTicks(pid);
  const th0 = threadTicks(pid);
  const t0 = process.hrtime.bigint();
  const renderMs = [];
  let peakRss = rssMiB(pid);
  const start = Date.now();
  const end = start + seconds * 1000;
  const gaps = [];
  if (gapWindows > 0) await vendor(obs.ws, 'GetDiagnostics', { reset: true });
  while (Date.now() < end) {
    await sleep(Math.min(1000, end - Date.now()));
    const s = await obs.ws.call('GetStats');
    renderMs.push(s.averageFrameRenderTime);
    peakRss = Math.max(peakRss, rssMiB(pid));
    const part = Math.min(gapWindows, Math.floor(((Date.now() - start) / (seconds * 1000)) * gapWindows + 1e-9));
    while (gaps.length < part) {
      gaps.push((await vendor(obs.ws, 'GetDiagnostics')).longest_ui_gap_ms);
      await vendor(obs.ws, 'GetDiagnostics', { reset: true });
    }
  }
  const s1 = await obs.ws.call('GetStats');
  const c1 = cpuTicks(pid);
  const th1 = threadTicks(pid);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    pluginPct: threadsPct(th0, th1, /^seedance-/, wall),
    threads: threadGroups(th0, th1, pid, wall),
    seconds: wall,
    renderMs: mean(renderMs),
    framesRendered: s1.renderTotalFrames - s0.renderTotalFrames,
    framesExpected: Math.round(wall * 30),
    framesLagged: s1.renderSkippedFrames - s0.renderSkippedFrames,
    cpuPct: ((c1 - c0) / CLK_TCK / wall) * 100,
    rssMiB: peakRss,
    gaps,
  };
}

async function measureMany(obs, label) {
  const windows = [];
  for (let i = 0; i < T.windows; i++) {
    windows.push(await measure(obs, T.window));
    log(`${label} window ${i + 1}: ${JSON.stringify(windows[windows.length - 1])}`);
  }
  return {
    seconds: windows.reduce((a, w) => a + w.seconds, 0),
    renderMs: mean(windows.map((w) => w.renderMs)),
    framesRendered: windows.reduce((a, w) => a + w.framesRendered, 0),
    framesExpected: windows.reduce((a, w) => a + w.framesExpected, 0),
    framesLagged: windows.reduce((a, w) => a + w.framesLagged, 0),
    cpuPct: mean(windows.map((w) => w.cpuPct)),
    pluginPct: mean(windows.map((w) => w.pluginPct)),
    threads: Object.fromEntries(Object.keys(windows[0].threads).map((k) => [k, mean(windows.map((w) => w.threads[k]))])),
    rssMiB: Math.max(...windows.map((w) => w.rssMiB)),
  };
}

async function startObs(display, emu, { withPlugin, name, probe = false }) {
  const home = scratch(`bench-${name}`);
  const obs = new ObsStudio({
    home,
    rundir,
    display,
    canvas: CANVAS,
    withPlugin,
    name: 'Bench',
    env: {
      TOAPIS_BASE_URL: emu.baseUrl,
      TOAPIS_API_KEY: EMULATOR_KEY,
      ...(probe ? { SEEDANCE_UI_STALL_PROBE: '1' } : {}),
    },
  });
  // 20 generation slots (the settings' maximum), so the scale phase runs 20 jobs at once.
  const pluginConfig = path.join(obs.configDir, 'plugin_config', 'obs-seedance');
  fs.mkdirSync(pluginConfig, { recursive: true });
  fs.writeFileSync(
    path.join(pluginConfig, 'config.json'),
    JSON.stringify({ max_concurrent: 20, clip_folder: path.join(home, 'clips'), dock_introduced: true }),
    { mode: 0o600 },
  );
  await obs.start();
  await makeQuadrants(obs.ws, 'Scene', ...CANVAS);
  if (withPlugin) {
    for (let i = 0; i < 300 && !(await vendor(obs.ws, 'GetDiagnostics').catch(() => ({}))).running; i++) await sleep(100);
  }
  await sleep(T.warm * 1000);
  return obs;
}

const job = (ws, id) => vendor(ws, 'GetJob', { job_id: id });
async function until(what, fn, timeoutMs = 120000, stepMs = 50) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(stepMs);
  }
}
async function generate(ws, fields) {
  const r = await vendor(ws, 'Generate', { prompt: 'benchmark', aspect_ratio: '16:9', ...fields });
  if (!r.job_id) throw new Error(`Generate refused: ${JSON.stringify(r)}`);
  return r.job_id;
}
const generating = (j) => ['queued', 'generating'].includes(j.state);
const failedUnexpectedly = (j, allowed = []) => j.state === 'failed' && !allowed.includes(j.error?.code);

async function cancelAll(ws) {
  const { jobs } = await vendor(ws, 'ListJobs');
  for (const j of jobs) if (!['completed', 'failed', 'cancelled'].includes(j.state)) await vendor(ws, 'CancelJob', { job_id: j.job_id });
}

// curl's time to fetch the same file over the same loopback: the pure transfer time.
async function curlSeconds(url) {
  const file = path.join(os.tmpdir(), `seedance-bench-${process.pid}.bin`);
  const r = await run('curl', ['-s', '-o', file, '-w', '%{time_total}', url]);
  fs.rmSync(file, { force: true });
  if (r.code !== 0) throw new Error(`curl ${url}: ${r.stderr}`);
  return Number(r.stdout);
}

async function videoUrl(emu, taskId) {
  const res = await fetch(`${emu.baseUrl}/v1/videos/generations/${taskId}`, { headers: { authorization: `Bearer ${EMULATOR_KEY}` } });
  const body = await res.json();
  return body.result?.data?.[0]?.url || body.url || body.content?.video_url;
}

// --- OBS phases -----------------------------------------------------------------------------------------------

async function phaseReference(display, emu, label) {
  log(`${label}: OBS without the plugin`);
  const obs = await startObs(display, emu, { withPlugin: false, name: label });
  try {
    const out = await measureMany(obs, label);
    // What OBS's own memory does with the same burst of frame grabs: 20 screenshots of the program scene at the
    // scale jobs' size (obs-websocket's GetSourceScreenshot: render, stage, map, encode, as ours).
    const pid = obs.child.pid;
    const before = rssMiB(pid);
    for (let i = 0; i < T.scaleJobs; i++)
      await obs.ws.call('GetSourceScreenshot', { sourceName: 'Scene', imageFormat: 'jpg', imageWidth: 1280, imageHeight: 720 });
    await sleep(3000);
    out.screenshotsRssGrowthMiB = rssMiB(pid) - before;
    log(`${label}: ${T.scaleJobs} screenshots: RSS +${fmt(out.screenshotsRssGrowthMiB, 1)} MiB`);
    return out;
  } finally {
    await obs.stop();
  }
}

async function phasePlugin(display, emu) {
  log('plugin: idle, then click-to-submitted, the load, and done-to-on-air');
  const obs = await startObs(display, emu, { withPlugin: true, name: 'plugin' });
  const ws = obs.ws;
  const out = {};
  try {
    out.idle = await measureMany(obs, 'plugin idle');

    // Click to submitted at 1080p; these jobs then poll forever (a stalled task) and are 4 of the 5 load jobs.
    await emu.scenario({ queue_seconds: 0.1, progress_mode: 'stall', latency_ms: 0 });
    out.clicks = [];
    const polling = [];
    for (let i = 0; i < Math.max(T.clicks, 4); i++) {
      const click = Date.now();
      const id = await generate(ws, { resolution: '1080p', scene: '' });
      const j = await until('submitted', async () => {
        const j = await job(ws, id);
        if (failedUnexpectedly(j)) throw new Error(`job failed: ${JSON.stringify(j)}`);
        return generating(j) ? j : null;
      }, 60000, 5);
      const t = j.timings;
      const submitted = t.queued ?? t.generating;
      if (i < T.clicks)
        out.clicks.push({
          total: submitted - click,
          request: t.capturing - click,
          capture: t.encoding - t.capturing,
          encode: (t.waiting ?? t.uploading) - t.encoding,
          slot: t.uploading - (t.waiting ?? t.uploading),
          upload: t.submitting - t.uploading,
          create: submitted - t.submitting,
        });
      polling.push(id);
      await sleep(300);
    }
    // The network floor of the same click: curl uploads the same JPEG and creates the same task.
    const [upload] = (await emu.requests('upload')).slice(-1);
    const [create] = (await emu.requests('create')).slice(-1);
    const created = await emu.task((await job(ws, polling[polling.length - 1])).task_id);
    const frameUrl = create.json.image_with_roles[0].url;
    const frameFile = path.join(os.tmpdir(), `seedance-bench-frame-${process.pid}.jpg`);
    fs.writeFileSync(frameFile, Buffer.from(await (await fetch(frameUrl)).arrayBuffer()));
    const floor = [];
    for (let i = 0; i < 3; i++) {
      const up = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{time_total}', '-H', `Authorization: Bearer ${EMULATOR_KEY}`,
        '-F', `file=@${frameFile};type=image/jpeg`, `${emu.baseUrl}/v1/uploads/images`]);
      const cr = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{time_total}', '-H', `Authorization: Bearer ${EMULATOR_KEY}`,
        '-H', 'Content-Type: application/json', '-d', JSON.stringify(created.request), `${emu.baseUrl}/v1/videos/generations`]);
      floor.push((Number(up.stdout) + Number(cr.stdout)) * 1000);
    }
    fs.rmSync(frameFile, { force: true });
    out.clickFloorMs = median(floor);
    out.uploadBytes = upload.body_size;

    // The load: 4 jobs polling (above), 1 downloading a large clip (throttled to last beyond the window), and a
    // capture every 2 s (Generate at 1080p; the upload is refused, so each is a full capture + encode + one
    // request). The downloading job goes to the clip folder only, so no new media source renders.
    const bytes = T.clipMiB * 1024 * 1024;
    const transferSeconds = T.warm + T.window * T.windows + 15;
    await emu.scenario({ progress_mode: 'linear', generate_seconds: 0.3, large_clip_mb: T.clipMiB, download: { trickle_bps: Math.ceil(bytes / transferSeconds) } });
    const downloading = await generate(ws, { resolution: '720p', scene: '' });
    await until('download started', async () => (await job(ws, downloading)).state === 'downloading', 120000, 100);
    await emu.script('upload', [{ status: 413, json: { error: { code: 'file_too_large', message: 'bench: upload refused' } }, repeat: 100000 }]);
    let captures = 0;
    let captureError = null;
    const timer = setInterval(() => {
      captures++;
      generate(ws, { resolution: '1080p', scene: '' }).catch((e) => (captureError = e));
    }, 2000);
    await sleep(T.warm * 1000);
    try {
      out.load = await measureMany(obs, 'plugin load');
    } finally {
      clearInterval(timer);
    }
    if (captureError) throw captureError;
    const dl = await job(ws, downloading);
    if (dl.state !== 'downloading') throw new Error(`the large download ended before the window did: ${JSON.stringify(dl)}`);
    for (const id of polling) {
      const j = await job(ws, id);
      if (!generating(j)) throw new Error(`a polling job stopped polling: ${JSON.stringify(j)}`);
    }
    out.loadCaptures = captures;
    await cancelAll(ws);
    await emu.admin('DELETE', '/_emu/script');
    await emu.scenario({ large_clip_mb: null, download: { trickle_bps: null }, progress_mode: 'stall' });

    // Done to on air: the emulator completes the task; from the poll that sees it to the media source in the
    // scene, minus curl's time to fetch the same file.
    out.onAir = [];
    for (let i = 0; i < T.onAir; i++) {
      const before = new Set((await ws.call('GetSceneItemList', { sceneName: 'Scene' })).sceneItems.map((s) => s.sceneItemId));
      const id = await generate(ws, { resolution: '720p', scene: 'Scene', playback: 'once' });
      const j = await until('generating', async () => {
        const j = await job(ws, id);
        if (failedUnexpectedly(j)) throw new Error(`job failed: ${JSON.stringify(j)}`);
        return j.state === 'generating' ? j : null;
      });
      const completed = await emu.complete(j.task_id);
      const item = await until('on air', async () => {
        const { sceneItems } = await ws.call('GetSceneItemList', { sceneName: 'Scene' });
        return sceneItems.find((s) => !before.has(s.sceneItemId) && s.inputKind === 'ffmpeg_source' && s.sceneItemEnabled);
      }, 120000, 2);
      const visible = Date.now();
      const queries = (await emu.requests('query')).filter((r) => r.path.endsWith(j.task_id) && r.time >= completed.completed_at);
      const detected = Math.min(...queries.map((r) => r.time)) * 1000;
      const done = await until('completed', async () => {
        const d = await job(ws, id);
        return d.state === 'completed' ? d : null;
      });
      const transfer = (await curlSeconds(await videoUrl(emu, j.task_id))) * 1000;
      out.onAir.push({
        detectToVisible: visible - detected,
        transfer,
        pluginDownload: done.timings.inserting - done.timings.downloading,
        pluginInsert: done.timings.completed - done.timings.inserting,
        source: item.sourceName,
      });
      log(`on air ${i + 1}: ${JSON.stringify(out.onAir[out.onAir.length - 1])}`);
    }
    return out;
  } finally {
    await obs.stop();
  }
}

async function phaseStall(display, emu) {
  log('UI: the stall probe idle, with 20 jobs at once, and during generations with a 5 s server');
  const obs = await startObs(display, emu, { withPlugin: true, name: 'stall', probe: true });
  const ws = obs.ws;
  const out = {};
  const gap = async () => (await vendor(ws, 'GetDiagnostics')).longest_ui_gap_ms;
  try {
    await vendor(ws, 'GetDiagnostics', { reset: true });
    out.idle = await measure(obs, T.stallIdle, T.gapWindows);
    out.idleGap = median(out.idle.gaps);

    // 20 jobs at once, first of all (later phases add media sources whose memory is OBS's, not ours).
    await emu.scenario({ latency_ms: 0, queue_seconds: 0.1, progress_mode: 'stall' });
    out.mallocIdle = (await vendor(ws, 'GetDiagnostics', { reset: true })).malloc;
    const ids = [];
    const pid = obs.child.pid;
    let burstRss = rssMiB(pid);
    for (let i = 0; i < T.scaleJobs; i++) ids.push(await generate(ws, { resolution: '720p', scene: '' }));
    await until('20 jobs generating', async () => {
      burstRss = Math.max(burstRss, rssMiB(pid));
      const states = await Promise.all(ids.map((i) => job(ws, i)));
      const bad = states.find((s) => failedUnexpectedly(s));
      if (bad) throw new Error(`scale job failed: ${JSON.stringify(bad)}`);
      return states.every(generating);
    }, 180000, 200);
    out.scaleBurstGap = await gap();
    out.scaleBurstRss = burstRss;
    await vendor(ws, 'GetDiagnostics', { reset: true });
    out.scale = await measure(obs, T.scaleWindow, T.gapWindows);
    out.scaleGap = median(out.scale.gaps);
    out.mallocScale = (await vendor(ws, 'GetDiagnostics')).malloc;
    out.scaleActive = (await vendor(ws, 'GetDiagnostics')).jobs_active;
    await cancelAll(ws);

    // One generation with every request answered in 5 s, to each destination. The window ends 2 s after the job
    // does, so OBS's own reaction to a new source (source list, audio mixer) is inside it.
    await emu.scenario({ latency_ms: 5000, queue_seconds: 0.1, generate_seconds: 0.5, progress_mode: 'linear' });
    await ws.call('CreateInput', { sceneName: 'Scene', inputName: 'Bench Slot', inputKind: 'seedance_clip', inputSettings: { width: 640, height: 360 } });
    // The reference: OBS adding a Media Source of the same file itself (obs-websocket CreateInput) and removing it
    // after the clip's 2 s (RemoveInput), like a clip played "once".
    const reference = async (name, file) => {
      await sleep(2000);
      await vendor(ws, 'GetDiagnostics', { reset: true });
      await ws.call('CreateInput', { sceneName: 'Scene', inputName: name, inputKind: 'ffmpeg_source', inputSettings: { local_file: file, is_local_file: true } });
      await sleep(2000); // the clip plays, then goes, as a clip played "once" does
      await ws.call('RemoveInput', { inputName: name });
      await sleep(1500);
      return gap();
    };
    const slowGeneration = async (label, target) => {
      await sleep(2000);
      await vendor(ws, 'GetDiagnostics', { reset: true });
      const id = await generate(ws, { resolution: '720p', ...target });
      const j = await until(`the slow generation (${label})`, async () => {
        const j = await job(ws, id);
        return ['completed', 'failed', 'cancelled'].includes(j.state) ? j : null;
      }, 180000, 200);
      if (j.state !== 'completed' || (label !== 'library' && !j.inserted)) throw new Error(`slow-server job: ${JSON.stringify(j)}`);
      // Long enough for the 2 s clip to play once and, in the scene, be removed again ("once").
      await sleep(3500);
      out.clip = j.clip_path;
      return gap();
    };
    // Warm-up, not counted: the first Media Source of an OBS session pays OBS's one-time work (decoder set-up, the
    // mixer's first media strip) whoever adds it. Without it the first scene insert was the slowest of three in both
    // runs of 2026-11-24 (25.8 and 28.0 ms), so the median measured the order of the runs more than the insert.
    out.warmUp = { scene: await slowGeneration('warm-up', { scene: 'Scene' }) };
    out.warmUp.createInput = await reference('Reference warm-up', out.clip);
    log(`warm-up: plugin insert ${out.warmUp.scene} ms, CreateInput ${out.warmUp.createInput} ms (not counted)`);
    out.slow = {};
    out.slowRuns = {};
    out.createInput = [];
    // OBS's own interface work varies a lot from one source to the next (see the CreateInput reference), so each
    // destination runs T.slowRuns times, interleaved with the reference, and the median is the figure.
    for (let run = 0; run < T.slowRuns; run++) {
      for (const [label, target] of [['library', { scene: '' }], ['slot', { slot: 'Bench Slot' }], ['scene', { scene: 'Scene' }]]) {
        (out.slowRuns[label] ??= []).push(await slowGeneration(label, target));
        log(`slow server, ${label}: longest UI gap ${out.slowRuns[label].at(-1)} ms`);
      }
      out.createInput.push(await reference(`Reference ${run}`, out.clip));
    }
    for (const [label, gaps] of Object.entries(out.slowRuns)) out.slow[label] = median(gaps);
    log(`reference CreateInput: longest UI gaps ${out.createInput.join(', ')} ms`);

    await cancelAll(ws);
    return out;
  } finally {
    await obs.stop();
  }
}

// --- Core benchmarks ------------------------------------------------------------------------------------------

async function coreBench(name, extra) {
  const exe = path.join(buildDir, 'tests', 'bench', name);
  const json = path.join(outDir, `${name}.json`);
  const r = await run(exe, [...(smoke ? ['--smoke'] : []), ...extra, '--json', json]);
  fs.writeFileSync(path.join(outDir, `${name}.txt`), r.stdout + r.stderr);
  if (r.code !== 0) throw new Error(`${name} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(fs.readFileSync(json, 'utf8'));
}

// --- Table -----------------------------------------------------------------------------------------------------

function fmt(v, digits = 1) {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : String(v);
}

function table(r) {
  const rows = [];
  const row = (figure, ours, reference, ratio, goal, met) =>
    rows.push({ figure, ours, reference, ratio, goal, met: met === '' || typeof met === 'string' ? met : met ? 'met' : 'MISSED' });
  const [a, b] = [r.referenceBefore, r.referenceAfter];
  const ref = {
    renderMs: (a.renderMs + b.renderMs) / 2,
    cpuPct: (a.cpuPct + b.cpuPct) / 2,
    framesLagged: Math.max(a.framesLagged, b.framesLagged),
    framesRendered: Math.round((a.framesRendered + b.framesRendered) / 2),
  };
  const { idle, load } = r.plugin;
  row('1. render time, plugin idle (ms/frame)', fmt(idle.renderMs, 2), `${fmt(ref.renderMs, 2)} (runs without: ${fmt(a.renderMs, 2)}, ${fmt(b.renderMs, 2)})`, fmt(idle.renderMs / ref.renderMs, 3), 'ratio ≤ 1.05', idle.renderMs / ref.renderMs <= 1.05);
  row('1. render time under load (ms/frame)', fmt(load.renderMs, 2), fmt(ref.renderMs, 2), fmt(load.renderMs / ref.renderMs, 3), 'ratio ≤ 1.05', load.renderMs / ref.renderMs <= 1.05);
  row('1. frames lagged, idle / load (of rendered)', `${idle.framesLagged} / ${load.framesLagged} (of ${load.framesRendered})`, `${ref.framesLagged} (of ${ref.framesRendered})`, '', 'no extra', Math.max(idle.framesLagged, load.framesLagged) <= ref.framesLagged);
  // OBS's total CPU differs by several points between two runs without the plugin (llvmpipe renders on the CPU),
  // so the goal is judged on the plugin's own threads (named seedance-*), measured exactly inside OBS; the
  // graphics-thread share of captures is in the render-time rows and the capture benchmark.
  const noise = Math.abs(a.cpuPct - b.cpuPct);
  const signed = (v) => `${v >= 0 ? '+' : ''}${fmt(v, 2)}`;
  const split = (t) => ['ui', 'graphics', 'plugin', 'other'].map((k) => fmt(t[k], 1)).join(' / ');
  const refThreads = Object.fromEntries(Object.keys(a.threads).map((k) => [k, (a.threads[k] + b.threads[k]) / 2]));
  // What the plugin costs OBS: its own threads, plus what it makes OBS's UI thread (dock) and graphics thread
  // (captures) do. Idle is compared with the runs without the plugin; load with the same OBS idle a minute before,
  // which leaves out the run-to-run noise of llvmpipe's rasterizer threads ("other").
  const uiGfx = (t) => t.ui + t.graphics;
  const idleAdds = idle.threads.plugin + uiGfx(idle.threads) - uiGfx(refThreads);
  const loadAdds = load.threads.plugin + uiGfx(load.threads) - uiGfx(idle.threads);
  const uiGfxNoise = Math.abs(uiGfx(a.threads) - uiGfx(b.threads));
  for (const [label, m] of [['plugin idle', idle], ['under load', load]]) {
    row(`2. CPU of the plugin's threads, ${label} (% of one core)`, fmt(m.pluginPct, 2), '0 (no plugin)', '', '≤ 2 pts', m.pluginPct <= 2);
    row(`2. OBS CPU by thread, ${label}: UI / graphics / plugin / other (% of one core)`, split(m.threads), `${split(refThreads)} (no plugin)`, '', 'context', '');
    row(`2. OBS CPU in total, ${label} (% of one core)`, fmt(m.cpuPct), `${fmt(ref.cpuPct)} (runs without: ${fmt(a.cpuPct)}, ${fmt(b.cpuPct)})`, `${m.cpuPct - ref.cpuPct >= 0 ? '+' : ''}${fmt(m.cpuPct - ref.cpuPct)} pts`, `context: run-to-run noise ${fmt(noise)} pts`, '');
  }
  row('2. CPU the plugin adds, idle: plugin threads + UI and graphics threads over the runs without (pts)', signed(idleAdds), `UI + graphics noise between the runs without: ${fmt(uiGfxNoise, 2)}`, '', '≤ 2 pts', idleAdds <= 2);
  row('2. CPU the load adds: plugin threads + UI and graphics threads over the same OBS idle (pts)', signed(loadAdds), `${fmt(uiGfx(idle.threads), 1)} (UI + graphics, idle)`, '', '≤ 2 pts', loadAdds <= 2);
  const c = r.plugin.clicks;
  const stage = (k) => median(c.map((x) => x[k]));
  row('3. click → submitted at 1080p (ms, median)', fmt(stage('total'), 0), `${fmt(r.plugin.clickFloorMs, 0)} (curl: upload + create)`, fmt(stage('total') / r.plugin.clickFloorMs, 2), '≤ 250 ms', stage('total') <= 250);
  row('3. … stages: request / capture / encode / slot / upload / create', ['request', 'capture', 'encode', 'slot', 'upload', 'create'].map((k) => fmt(stage(k), 0)).join(' / '), '', '', '', '');
  for (const p of r.poll.results.filter((x) => x.progress !== 'nonlinear'))
    row(`4. detection delay, ${p.duration_s} s job, ${p.progress} progress (median s; requests)`, `${fmt(p.adaptive.median_delay_s, 2)}; ${fmt(p.adaptive.mean_requests, 2)}`, `${fmt(p.fixed.median_delay_s, 2)}; ${fmt(p.fixed.mean_requests, 2)} (fixed 5 s + 10 s)`, fmt(p.ratio_median_delay, 2), p.goal?.text ?? '', p.goal?.met ?? true);
  const onAir = r.plugin.onAir.map((x) => x.detectToVisible - x.transfer);
  row('5. done → on air minus transfer (ms, median)', fmt(median(onAir), 0), `${fmt(median(r.plugin.onAir.map((x) => x.transfer)), 1)} (curl transfer)`, '', '≤ 150 ms', median(onAir) <= 150);
  const d = r.download;
  row(`6. download ${fmt(d.size_mib, 0)} MiB (MiB/s)`, fmt(d.ours_median_rate_mib_s, 0), `${fmt(d.curl_median_rate_mib_s, 0)} (curl -o)`, fmt(d.ratio, 3), 'ratio ≥ 0.9', d.goals.ratio_met);
  row('6. download peak memory growth (MiB)', fmt(d.peak_rss_growth_mib, 2), `${fmt(d.curl_max_rss_mib, 1)} (curl max RSS)`, '', '≤ 16 MiB', d.goals.rss_growth_met);
  const s = r.stall;
  const refCreate = median(s.createInput);
  for (const [label, text] of [['library', 'into the clip folder'], ['slot', 'into a Seedance Clip slot'], ['scene', 'into the scene (a new Media Source, played once then removed)']]) {
    const isScene = label === 'scene';
    row(`7. longest UI stall, generation with a 5 s server, ${text} (ms, median of ${s.slowRuns[label].length}; max)`, `${fmt(s.slow[label], 1)}; ${fmt(Math.max(...s.slowRuns[label]), 1)}`,
      isScene ? `${fmt(refCreate, 1)}; ${fmt(Math.max(...s.createInput), 1)} (OBS itself: CreateInput of the same file, RemoveInput 2 s later)` : `${fmt(s.idleGap, 1)} (plugin idle)`,
      isScene ? fmt(s.slow[label] / refCreate, 2) : '', isScene ? '≤ 16 ms, or ≤ OBS adding a source' : '≤ 16 ms',
      isScene ? s.slow[label] <= Math.max(16, refCreate * 1.25) : s.slow[label] <= 16);
  }
  const windows = (m) => m.gaps.map((g) => fmt(g, 1)).join(', ');
  row(`8. ${T.scaleJobs} jobs: longest UI stall, submitting / running (ms; running: median of ${s.scale.gaps.length} windows of ${fmt(T.scaleWindow / s.scale.gaps.length, 0)} s, each window)`, `${fmt(s.scaleBurstGap, 1)} / ${fmt(s.scaleGap, 1)} (${windows(s.scale)})`, `${fmt(s.idleGap, 1)} (idle, median; ${windows(s.idle)})`, '', '≤ 16 ms', Math.max(s.scaleBurstGap, s.scaleGap) <= 16);
  row(`8. ${T.scaleJobs} jobs: CPU of the plugin's threads (% of one core)`, fmt(s.scale.pluginPct, 2), `${fmt(s.idle.pluginPct, 2)} (idle)`, '', '≤ 2 pts', s.scale.pluginPct <= 2);
  row(`8. ${T.scaleJobs} jobs: OBS CPU in total (% of one core)`, fmt(s.scale.cpuPct), `${fmt(s.idle.cpuPct)} (idle)`, `${s.scale.cpuPct - s.idle.cpuPct >= 0 ? '+' : ''}${fmt(s.scale.cpuPct - s.idle.cpuPct)} pts`, 'context', '');
  const [mi, ms] = [s.mallocIdle, s.mallocScale];
  if (mi && ms)
    row(`8. ${T.scaleJobs} jobs: OBS heap in use, running (MiB, malloc; freed pages glibc keeps)`, `${fmt(ms.in_use_mib, 1)}; ${fmt(ms.free_kept_mib, 1)} kept`, `${fmt(mi.in_use_mib, 1)}; ${fmt(mi.free_kept_mib, 1)} kept (idle)`, `+${fmt(ms.in_use_mib - mi.in_use_mib, 1)} MiB; +${fmt(ms.free_kept_mib - mi.free_kept_mib, 1)} kept`, '≤ +16 MiB in use', ms.in_use_mib - mi.in_use_mib <= 16);
  const shots = [a.screenshotsRssGrowthMiB, b.screenshotsRssGrowthMiB].filter((v) => typeof v === 'number');
  row(`8. ${T.scaleJobs} jobs: OBS memory, running (peak while submitting) (MiB RSS)`, `${fmt(s.scale.rssMiB, 0)} (${fmt(s.scaleBurstRss, 0)})`, `${fmt(s.idle.rssMiB, 0)} (idle); OBS itself after ${T.scaleJobs} screenshots: ${shots.map((v) => `+${fmt(v, 1)}`).join(', ')} MiB`, `+${fmt(s.scale.rssMiB - s.idle.rssMiB, 1)} MiB`, '≤ +16 MiB',
    rssVerdict(s.scale.rssMiB - s.idle.rssMiB, shots));
  return rows;
}

// RSS is glibc's policy as much as ours: above the goal but not above what OBS's own screenshots leave (the same
// burst of readbacks and encodes, no plugin) is told apart from a plain miss.
function rssVerdict(growth, shots) {
  if (growth <= 16) return 'met';
  return shots.length && growth <= Math.min(...shots) ? 'over the goal; ≤ OBS itself (README)' : 'MISSED';
}

function markdown(rows) {
  const lines = ['| figure | ours | reference | ratio | goal | |', '|---|---|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${r.figure} | ${r.ours} | ${r.reference} | ${r.ratio} | ${r.goal} | ${r.met} |`);
  return lines.join('\n');
}

// --- Main ------------------------------------------------------------------------------------------------------

const started = Date.now();
const results = {
  date: new Date().toISOString(),
  smoke,
  obs: installedObs().text,
  machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model}, ${os.release()}`,
};
const tableFrom = option('--table-from', null);
if (tableFrom) {
  // Prints the table of an earlier run's results.json again (after a change to the table itself).
  console.log(markdown(table(JSON.parse(fs.readFileSync(tableFrom, 'utf8')))));
  process.exit(0);
}
if (only) {
  const phases = { reference: (d, e) => phaseReference(d, e, 'reference'), plugin: phasePlugin, stall: phaseStall };
  const xvfb = new Xvfb({ width: 1920, height: 1080 });
  const emu = new Emulator();
  try {
    const display = await xvfb.start();
    await emu.start();
    for (const name of only) {
      if (!phases[name]) throw new Error(`--only: no phase ${name} (reference, plugin, stall)`);
      results[name] = await phases[name](display, emu);
    }
  } finally {
    await emu.stop();
    await xvfb.stop();
  }
  fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(results, null, 2));
  console.log(JSON.stringify(results, null, 2));
  process.exit(0);
}
results.poll = await coreBench('seedance-bench-poll', []);
results.download = await coreBench('seedance-bench-download', smoke ? [] : ['--runs', '3']);
const xvfb = new Xvfb({ width: 1920, height: 1080 });
const emu = new Emulator();
try {
  const display = await xvfb.start();
  await emu.start();
  // Without the plugin before and after the plugin's runs: their mean is the reference, their difference the
  // noise of this machine.
  results.referenceBefore = await phaseReference(display, emu, 'reference (before)');
  results.plugin = await phasePlugin(display, emu);
  results.stall = await phaseStall(display, emu);
  results.referenceAfter = await phaseReference(display, emu, 'reference (after)');
} finally {
  await emu.stop();
  await xvfb.stop();
}
const rows = table(results);
results.table = rows;
fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(results, null, 2));
const md = markdown(rows);
fs.writeFileSync(path.join(outDir, 'results.md'), `${md}\n`);
console.log(`\nobs-seedance performance, ${results.date}${smoke ? ' (SMOKE: windows too short for real figures)' : ''}`);
console.log(`machine: ${results.machine}; OBS ${results.obs} at ${CANVAS.join('x')} 30 fps under Xvfb (Mesa llvmpipe)\n`);
console.log(md);
console.log(`\nwritten to ${outDir}/results.{json,md} in ${Math.round((Date.now() - started) / 1000)} s`);
process.exit(0);
