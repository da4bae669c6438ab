// Secrets: with the key in the configuration file (not the environment), a full generation leaves the key in no
// log and no scene collection, and the signed URL's query nowhere; the configuration file is private (0600).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { artifacts, rundir, scratch } from './lib/env.mjs';
import { Emulator, EMULATOR_KEY } from './lib/emulator.mjs';
import { ObsStudio } from './lib/obs.mjs';
import { Xvfb } from './lib/xvfb.mjs';
import { vendor, waitJob } from './lib/seedance.mjs';

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

after(async () => {
  if (obs) {
    await obs.stop();
    obs.saveArtifacts(artifacts, 'e2e-secrets');
  }
  await emu.stop();
  await xvfb.stop();
});

test('the key and signed URLs appear in no log and no scene collection', { timeout: 120000 }, async () => {
  await emu.scenario({ queue_seconds: 0.2, generate_seconds: 1 });
  delete process.env.TOAPIS_API_KEY;
  const ws = await obs.start();
  const { job_id } = await vendor(ws, 'Generate', { prompt: 'keep the secret' });
  const job = await waitJob(ws, job_id);
  assert.equal(job.state, 'completed', JSON.stringify(job));
  // Settings saved by the plugin (recent prompts, hotkey) keep the file private.
  const { clean } = await obs.stop();
  assert.ok(clean);

  const sig = (await emu.tasks())[0].sig;
  assert.ok(sig && sig.length > 8);
  const configFile = path.join(obs.configDir, 'plugin_config', 'obs-seedance', 'config.json');
  assert.equal(fs.statSync(configFile).mode & 0o777, 0o600);

  const files = walk(home).filter((f) => f !== configFile);
  const leaks = [];
  for (const file of files) {
    const text = fs.readFileSync(file).toString('latin1');
    if (text.includes(EMULATOR_KEY)) leaks.push(`${file}: key`);
    if (text.includes(sig)) leaks.push(`${file}: signed URL`);
  }
  assert.deepEqual(leaks, []);
  assert.ok(files.some((f) => /basic\/scenes\/.*\.json$/.test(f)), 'the scene collection was checked');
  assert.ok(files.some((f) => /logs\/.*\.txt$/.test(f)), 'the OBS log was checked');
  assert.ok(files.some((f) => /jobs\.json$/.test(f)), 'the journal was checked');
  assert.ok(!path.basename(job.clip_path).includes(EMULATOR_KEY));
});
