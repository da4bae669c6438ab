// Real OBS Studio (Debian 12's 29.x, or 30 and 32 in their tiers' root filesystems) in a scratch HOME with the plugin installed per user and obs-websocket on a
// free loopback port. Stops with Ctrl+Q like a user (clean exit, config saved), with a kill fallback.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import OBSWebSocket from 'obs-websocket-js';
import { obsVersion, writeObsConfig } from '../../../build-aux/lib/obs-config.mjs';
import { spawnTracked, killTracked, waitForExit, run, sleep } from './processes.mjs';

let version = null;
// The version of the OBS on PATH: { major, minor, patch, text }.
export function installedObs() {
  version ??= obsVersion();
  return version;
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function portOpen(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function copyDir(from, to) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) copyDir(src, dst);
    else fs.copyFileSync(src, dst);
  }
}

export class ObsStudio {
  // home: scratch folder (created); rundir: <build>/rundir/obs-seedance (the per-user plugin layout);
  // display: X display; env: extra environment (TOAPIS_BASE_URL, ...); canvas: [w, h].
  constructor({ home, rundir, display, env = {}, canvas = [1280, 720], withPlugin = true, name = 'E2E' }) {
    Object.assign(this, { home, rundir, display, env, canvas, withPlugin, name });
    this.configDir = path.join(home, '.config', 'obs-studio');
    this.child = null;
    this.ws = null;
    this.port = null;
    this.stdout = '';
    this.exit = null;
  }

  // Writes OBS's settings for this OBS version (build-aux/lib/obs-config.mjs) and the profile the first time; later
  // starts reuse the same HOME (like a real user) and keep what OBS saved (dock state, window geometry).
  async prepare() {
    fs.mkdirSync(path.join(this.home, 'run'), { recursive: true, mode: 0o700 });
    fs.chmodSync(path.join(this.home, 'run'), 0o700);
    this.port = await freePort();
    const [width, height] = this.canvas;
    writeObsConfig({ configDir: this.configDir, version: installedObs(), profile: this.name, port: this.port, width, height });
    const pluginDir = path.join(this.configDir, 'plugins', 'obs-seedance');
    fs.rmSync(pluginDir, { recursive: true, force: true });
    if (this.withPlugin) copyDir(this.rundir, pluginDir);
  }

  async start({ timeoutMs = 60000 } = {}) {
    await this.prepare();
    this.stdout = '';
    this.exit = null;
    const env = {
      ...process.env,
      HOME: this.home,
      XDG_CONFIG_HOME: path.join(this.home, '.config'),
      XDG_RUNTIME_DIR: path.join(this.home, 'run'),
      DISPLAY: this.display,
      QT_QPA_PLATFORM: 'xcb',
      LANG: process.env.OBS_LANG || 'en_US.UTF-8',
      ...this.env,
    };
    delete env.WAYLAND_DISPLAY;
    this.child = spawnTracked(
      'obs',
      ['--multi', '--verbose', '--disable-missing-files-check', '--collection', this.name, '--profile', this.name, '--scene', 'Scene'],
      { cwd: this.home, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child.stdout.on('data', (d) => (this.stdout += d));
    this.child.stderr.on('data', (d) => (this.stdout += d));
    this.child.once('exit', (code, signal) => (this.exit = { code, signal }));

    const deadline = Date.now() + timeoutMs;
    while (!(await portOpen(this.port))) {
      if (this.exit) throw new Error(`OBS exited early (${JSON.stringify(this.exit)}):\n${this.stdout.slice(-4000)}`);
      if (Date.now() > deadline) throw new Error(`obs-websocket did not open port ${this.port}:\n${this.stdout.slice(-4000)}`);
      await sleep(100);
    }
    this.ws = new OBSWebSocket();
    await this.ws.connect(`ws://127.0.0.1:${this.port}`, undefined, { eventSubscriptions: 0xffffffff });
    // obs-websocket 5.3+ (OBS 30+) opens its port before OBS has finished loading and answers "not ready" (207)
    // until then.
    for (;;) {
      try {
        await this.ws.call('GetSceneList');
        break;
      } catch (e) {
        if (e.code !== 207) throw e;
        if (Date.now() > deadline) throw new Error(`OBS did not finish loading:\n${this.stdout.slice(-4000)}`);
        await sleep(100);
      }
    }
    // The plugin starts on OBS's FINISHED_LOADING too, which OBS 30+ tells obs-websocket first: until then it answers
    // not_ready, as it would to a Stream Deck that connects at OBS's start.
    while (this.withPlugin) {
      const { responseData } = await this.ws.call('CallVendorRequest', { vendorName: 'obs-seedance', requestType: 'ListJobs' });
      if (responseData?.error?.code !== 'not_ready') break;
      if (Date.now() > deadline) throw new Error(`the plugin did not start:\n${this.stdout.slice(-4000)}`);
      await sleep(50);
    }
    return this.ws;
  }

  async mainWindow() {
    for (let i = 0; i < 100; i++) {
      const r = await run('xdotool', ['search', '--all', '--pid', String(this.child.pid), '--name', '^OBS '], {
        env: { ...process.env, DISPLAY: this.display },
      });
      const id = r.stdout.trim().split('\n').filter(Boolean)[0];
      if (id) return id;
      await sleep(100);
    }
    throw new Error('OBS main window not found');
  }

  async keys(...keys) {
    const window = await this.mainWindow();
    await run('xdotool', ['windowfocus', '--sync', window], { env: { ...process.env, DISPLAY: this.display } });
    for (const key of keys) {
      await run('xdotool', ['key', '--clearmodifiers', key], { env: { ...process.env, DISPLAY: this.display } });
      await sleep(250);
    }
  }

  async type(text) {
    await run('xdotool', ['type', '--delay', '20', text], { env: { ...process.env, DISPLAY: this.display } });
  }

  // Docks menu → last entry (the newest plugin dock) on a fresh configuration.
  async toggleNewestDock() {
    await this.keys('alt+d', 'Up', 'Return');
  }

  async screenshot(file) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const r = await run('import', ['-window', 'root', file], { env: { ...process.env, DISPLAY: this.display } });
    if (r.code !== 0) throw new Error(`screenshot failed: ${r.stderr}`);
    return file;
  }

  // Waits until OBS has printed `pattern` at least `count` times since it was started (its --verbose log on stdout,
  // which is also its log file): the sync point for what only the log tells, such as the dock being shown.
  async waitForLog(pattern, { count = 1, timeoutMs = 30000 } = {}) {
    const re = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = (this.stdout.match(re) || []).length;
      if (seen >= count) return seen;
      if (this.exit) throw new Error(`OBS exited (${JSON.stringify(this.exit)}) before logging ${pattern}`);
      if (Date.now() > deadline) throw new Error(`OBS logged ${pattern} ${seen} time(s), not ${count}, in ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  // The plugin's dock has been shown (the plugin logs each show and hide) and OBS has had a moment to lay it out.
  async waitForDock({ count = 1 } = {}) {
    await this.waitForLog(/\[obs-seedance\] dock visible/, { count });
    await sleep(300);
  }

  logText() {
    const dir = path.join(this.configDir, 'logs');
    if (!fs.existsSync(dir)) return '';
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();
    return files.length ? fs.readFileSync(path.join(dir, files[files.length - 1]), 'utf8') : '';
  }

  // Ctrl+Q to the main window; returns {clean, ms}. Falls back to SIGKILL after `timeoutMs`.
  async stop({ timeoutMs = 15000 } = {}) {
    if (this.ws) {
      await this.ws.disconnect().catch(() => {});
      this.ws = null;
    }
    if (!this.child || this.exit) return { clean: this.exit?.code === 0, ms: 0 };
    const started = Date.now();
    try {
      await this.keys('ctrl+q');
    } catch {
      /* window gone: the kill below handles it */
    }
    const exited = await waitForExit(this.child, timeoutMs);
    const ms = Date.now() - started;
    await killTracked(this.child);
    return { clean: !!exited && exited.code === 0 && !exited.signal, ms, exit: exited };
  }

  // SIGKILL: a crash as far as OBS and the plugin are concerned.
  async crash() {
    if (this.ws) {
      await this.ws.disconnect().catch(() => {});
      this.ws = null;
    }
    process.kill(this.child.pid, 'SIGKILL');
    await waitForExit(this.child, 10000);
    await killTracked(this.child);
  }

  saveArtifacts(dir, label) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${label}-obs.log`), this.logText() || this.stdout);
  }
}
