import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends bytes exactly as given (no client library normalising them) to a listening hub and parses the
 * answer; `pauseMs` waits between the chunks, to send a request too slowly. With `timeoutMs`, an answer
 * that has not ended by then rejects (and the connection is dropped). An event stream (`text/event-stream`) is
 * answered by its head alone.
 */
export function rawHttp(
  port: number,
  chunks: Array<string | Uint8Array>,
  pauseMs = 0,
  timeoutMs?: number,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            socket.destroy();
            reject(new Error(`no complete answer within ${timeoutMs} ms`));
          }, timeoutMs);
    socket.on('data', (data) => {
      received.push(data);
      // An event stream never ends: its head is the whole answer.
      if (/^content-type: text\/event-stream/im.test(Buffer.concat(received).toString('latin1').split('\r\n\r\n')[0])) {
        socket.destroy();
      }
    });
    // A reset after the answer arrived (the hub closing while the rest is still being written) is no error.
    socket.on('error', (error) => {
      if (received.length === 0) {
        clearTimeout(timer);
        reject(error);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const [head, ...rest] = Buffer.concat(received).toString('utf8').split('\r\n\r\n');
      const [statusLine, ...headerLines] = head.split('\r\n');
      const headers = Object.fromEntries(
        headerLines.map((line) => [
          line.slice(0, line.indexOf(':')).toLowerCase(),
          line.slice(line.indexOf(':') + 1).trim(),
        ]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
    socket.on('connect', () => {
      void (async () => {
        for (const chunk of chunks) {
          if (socket.destroyed) {
            return;
          }
          socket.write(chunk);
          await new Promise((wait) => setTimeout(wait, pauseMs));
        }
      })();
    });
  });
}
