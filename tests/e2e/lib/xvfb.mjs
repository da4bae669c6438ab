// A private X server for one test file: Xvfb picks a free display itself (-displayfd), so parallel tests never
// collide.
import { spawnTracked, killTracked } from './processes.mjs';

export class Xvfb {
  constructor({ width = 1920, height = 1080 } = {}) {
    this.width = width;
    this.height = height;
    this.display = null;
    this.child = null;
  }

  async start() {
    this.child = spawnTracked(
      'Xvfb',
      ['-displayfd', '3', '-screen', '0', `${this.width}x${this.height}x24`, '-nolisten', 'tcp', '-noreset'],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    this.child.stderr.on('data', (d) => (stderr += d));
    const number = await new Promise((resolve, reject) => {
      let buffer = '';
      const timer = setTimeout(() => reject(new Error(`Xvfb did not start: ${stderr}`)), 15000);
      this.child.stdio[3].on('data', (d) => {
        buffer += d;
        if (buffer.includes('\n')) {
          clearTimeout(timer);
          resolve(buffer.trim());
        }
      });
      this.child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Xvfb exited with ${code}: ${stderr}`));
      });
    });
    this.display = `:${number}`;
    return this.display;
  }

  async stop() {
    await killTracked(this.child);
    this.child = null;
  }
}
