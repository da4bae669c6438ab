// A minimal obs-websocket 5 client on Node's standard library alone (the offline demo runs where npm is not
// installed, e.g. Debian sid): the WebSocket handshake, masked text frames out, unmasked frames in, JSON messages.
// Only what the demo needs: Identify without authentication, requests and their responses.
//   const obs = await ObsWs.connect(port); const r = await obs.call('GetVersion'); obs.close();
import crypto from 'node:crypto';
import net from 'node:net';

const OP = { Hello: 0, Identify: 1, Identified: 2, Request: 6, RequestResponse: 7 };

export class ObsWs {
  static connect(port, host = '127.0.0.1') {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host);
      const key = crypto.randomBytes(16).toString('base64');
      const client = new ObsWs(socket);
      let upgraded = false;
      let buffer = Buffer.alloc(0);
      socket.once('error', reject);
      socket.on('connect', () => {
        socket.write(
          `GET / HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: obswebsocket.json\r\n\r\n`,
        );
      });
      socket.on('data', (chunk) => {
        buffer = Buffer.concat([buffer, chunk]);
        if (!upgraded) {
          const end = buffer.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = buffer.subarray(0, end).toString();
          if (!/^HTTP\/1\.1 101/.test(head)) return reject(new Error(`not a WebSocket server: ${head.split('\r\n')[0]}`));
          upgraded = true;
          buffer = buffer.subarray(end + 4);
        }
        buffer = client.receive(buffer);
      });
      socket.on('close', () => client.fail(new Error('obs-websocket closed the connection')));
      client.onMessage = (m) => {
        if (m.op === OP.Hello) client.send({ op: OP.Identify, d: { rpcVersion: 1, eventSubscriptions: 0 } });
        else if (m.op === OP.Identified) resolve(client);
      };
    });
  }

  constructor(socket) {
    this.socket = socket;
    this.pending = new Map();
    this.next = 1;
  }

  call(requestType, requestData) {
    const requestId = String(this.next++);
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      this.send({ op: OP.Request, d: { requestType, requestId, ...(requestData ? { requestData } : {}) } });
    }).then((d) => {
      if (!d.requestStatus?.result) throw new Error(`${requestType}: ${d.requestStatus?.comment || d.requestStatus?.code}`);
      return d.responseData || {};
    });
  }

  close() {
    this.socket.end();
  }

  send(message) {
    this.sendFrame(0x1, Buffer.from(JSON.stringify(message)));
  }

  // One final frame, masked as a client's must be.
  sendFrame(opcode, payload) {
    const mask = crypto.randomBytes(4);
    let header;
    if (payload.length < 126) header = Buffer.from([0x80 | opcode, 0x80 | payload.length]);
    else if (payload.length < 65536) header = Buffer.from([0x80 | opcode, 0x80 | 126, payload.length >> 8, payload.length & 255]);
    else {
      header = Buffer.alloc(10);
      header[0] = 0x80 | opcode;
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(payload.length), 2);
    }
    for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
    this.socket.write(Buffer.concat([header, mask, payload]));
  }

  // Parses every whole frame in `buffer`; returns what is left of it.
  receive(buffer) {
    for (;;) {
      if (buffer.length < 2) return buffer;
      const opcode = buffer[0] & 0x0f;
      let length = buffer[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffer.length < 4) return buffer;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) return buffer;
        length = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (buffer.length < offset + length) return buffer;
      const payload = buffer.subarray(offset, offset + length);
      buffer = buffer.subarray(offset + length);
      if (opcode === 0x1) this.dispatch(JSON.parse(payload.toString()));
      else if (opcode === 0x9) this.sendFrame(0xa, Buffer.from(payload)); // pong, with the ping's data
      else if (opcode === 0x8) this.socket.end();
    }
  }

  dispatch(message) {
    if (message.op === OP.RequestResponse) {
      const waiter = this.pending.get(message.d.requestId);
      this.pending.delete(message.d.requestId);
      waiter?.resolve(message.d);
    } else {
      this.onMessage?.(message);
    }
  }

  fail(error) {
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }
}
