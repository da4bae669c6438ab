// The ToAPIs emulator (tests/emulator) as a child process, with its admin API.
import path from 'node:path';
import { spawnTracked, killTracked } from './processes.mjs';
import { sourceDir } from './env.mjs';

export const EMULATOR_KEY = 'sk-e2e-EMULATOR-KEY-0123456789abcdef';

export class Emulator {
  constructor({ args = [] } = {}) {
    this.args = args;
    this.child = null;
    this.port = null;
    this.log = '';
  }

  async start() {
    const script = path.join(sourceDir, 'tests/emulator/toapis_emulator.py');
    this.child = spawnTracked('python3', [script, '--port', '0', '--key', EMULATOR_KEY, ...this.args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stderr.on('data', (d) => (this.log += d));
    this.port = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`emulator did not start: ${this.log}`)), 60000);
      this.child.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/LISTENING (\d+)/);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      this.child.once('exit', (code) => reject(new Error(`emulator exited ${code}: ${this.log}`)));
    });
    return this;
  }

  get baseUrl() {
    return `http://127.0.0.1:${this.port}`;
  }

  async admin(method, route, body) {
    const res = await fetch(`${this.baseUrl}${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator ${method} ${route}: ${res.status} ${text}`);
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }

  scenario(fields) {
    return this.admin('POST', '/_emu/scenario', fields);
  }
  script(endpoint, responses) {
    return this.admin('POST', '/_emu/script', { endpoint, responses });
  }
  async requests(endpoint) {
    const { requests } = await this.admin('GET', '/_emu/requests');
    return endpoint ? requests.filter((r) => r.endpoint === endpoint) : requests;
  }
  async tasks() {
    return (await this.admin('GET', '/_emu/tasks')).tasks;
  }
  task(id) {
    return this.admin('GET', `/_emu/tasks/${id}`);
  }
  complete(id) {
    return this.admin('POST', `/_emu/tasks/${id}/complete`, {});
  }

  async stop() {
    await killTracked(this.child);
  }
}
