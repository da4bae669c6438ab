// Secrets: with the key in the configuration file (not the environment), everything the plugin and OBS write (logs,
// journal, scene collection, settings other than the key's own file, clip names, OBS's stdout/stderr including a
// crash) holds neither the key nor any signed URL's signature, after a normal generation, a hostile server that
// echoes the key and a signed URL in its error message, and a SIGKILL in the middle of a download. The
// configuration file is private (0600) and stays so.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { rundir, scratch, stopAll } from './lib/env.mjs';
import { Emulator, EMULATOR_KEY } from './lib/emulator.mjs';
import { ObsStudio } from './lib/obs.mjs';
import { Xvfb } from './lib/xvfb.mjs';
import { vendor, waitJob } from './lib/seedance.mjs';
import { sleep } from './lib/processes.mjs';

const xvfb = new Xvfb();
const emu = new Emulator();
let obs;
let home;

function walk(dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p, out);
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

before(async () => {
  const display = await xvfb.start();
  await emu.start();
  home = scratch('secrets');
  obs = new ObsStudio({ home, rundir, display, env: { SEEDANCE_POLL_SCALE: '0.2' } });
  const pluginConfig = path.join(obs.configDir, 'plugin_config', 'obs-seedance');
  fs.mkdirSync(pluginConfig, { recursive: true });
  fs.writeFileSync(path.join(pluginConfig, 'config.json'), JSON.stringify({ api_key: EMULATOR_KEY, base_url: emu.baseUrl }), { mode: 0o600 });
});

after(() => stopAll({ obs, emu, xvfb }, 'e2e-secrets'));

test('the key and signed URLs appear in nothing the plugin or OBS writes', { timeout: 150000 }, async () => {
  await emu.scenario({ queue_seconds: 0.2, generate_seconds: 1 });
  delete process.env.TOAPIS_API_KEY;
  const output = []; // OBS's stdout and stderr of every run, crashes included
  let ws = await obs.start();

  // 1. A normal generation.
  const { job_id } = await vendor(ws, 'Generate', { prompt: 'keep the secret' });
  const job = await waitJob(ws, job_id);
  assert.equal(job.state, 'completed', JSON.stringify(job));
  const firstSig = (await emu.tasks())[0].sig;

  // 2. A hostile server: the error message echoes the Authorization header and a signed URL.
  const echoedUrl = `${emu.baseUrl}/files/videos/echo.mp4?sig=${firstSig}&expires=1`;
  await emu.script('create', [
    { status: 400, json: { error: { code: 'invalid_request', message: `bad request from Bearer ${EMULATOR_KEY}; see ${echoedUrl}` } } },
  ]);
  const echoed = await waitJob(ws, (await vendor(ws, 'Generate', { prompt: 'hostile echo' })).job_id);
  assert.equal(echoed.state, 'failed', JSON.stringify(echoed));
  assert.ok(!JSON.stringify(echoed).includes(EMULATOR_KEY), JSON.stringify(echoed));
  assert.ok(!JSON.stringify(echoed).includes(firstSig), JSON.stringify(echoed));

  // 3. SIGKILL while a clip downloads (slowly), then a restart that finishes it.
  await emu.scenario({ large_clip_mb: 8, download: { trickle_bps: 1024 * 1024 } });
  const slow = (await vendor(ws, 'Generate', { prompt: 'crash while downloading', scene: '' })).job_id;
  await waitJob(ws, slow, (j) => j.state === 'downloading');
  await sleep(1000);
  await obs.crash();
  output.push(obs.stdout);
  await emu.scenario({ large_clip_mb: null, download: { trickle_bps: null } });
  ws = await obs.start();
  const resumed = await waitJob(ws, slow);
  assert.equal(resumed.state, 'completed', JSON.stringify(resumed));

  // Settings saved by the plugin (recent prompts, hotkey) keep the file private.
  const { clean } = await obs.stop();
  assert.ok(clean);
  output.push(obs.stdout);

  const sigs = (await emu.tasks()).map((t) => t.sig);
  assert.ok(sigs.length >= 2 && sigs.every((sig) => sig && sig.length > 8));
  const configFile = path.join(obs.configDir, 'plugin_config', 'obs-seedance', 'config.json');
  assert.equal(fs.statSync(configFile).mode & 0o777, 0o600);

  const files = walk(home).filter((f) => f !== configFile);
  const leaks = [];
  const sweep = (where, text) => {
    if (text.includes(EMULATOR_KEY)) leaks.push(`${where}: key`);
    for (const sig of sigs) if (text.includes(sig)) leaks.push(`${where}: signed URL`);
  };
  for (const file of files) {
    sweep(file, fs.readFileSync(file).toString('latin1'));
    sweep(`file name ${file}`, file);
  }
  output.forEach((text, i) => sweep(`OBS output of run ${i + 1}`, text));
  assert.deepEqual(leaks, []);
  assert.ok(files.some((f) => /basic\/scenes\/.*\.json$/.test(f)), 'the scene collection was checked');
  assert.ok(files.filter((f) => /logs\/.*\.txt$/.test(f)).length >= 2, 'the OBS logs of both runs were checked');
  assert.ok(files.some((f) => /jobs\.json$/.test(f)), 'the journal was checked');
  assert.ok(files.some((f) => f.endsWith('.mp4')), 'the clip folder was checked');
  assert.deepEqual(files.filter((f) => f.endsWith('.part')), [], 'the download the crash cut left no partial file');
  assert.ok(output.every((text) => text.includes('[obs-seedance]')), 'the plugin wrote to OBS output in each run');
  assert.match(output.join('\n') + obs.logText(), /hostile echo|invalid_request|400/);
});
