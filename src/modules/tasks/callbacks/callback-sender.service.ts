import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Injectable } from '@nestjs/common';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';
import { AppConfig } from '../../../config/app-config.js';

export const SIGNATURE_HEADER = 'X-Ananta-Signature';
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface SendResult {
  statusCode: number | null;
  error: string | null;
}

export const signatureOf = (body: string, secret: string): string =>
  `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;

/**
 * One POST, signed with HMAC-SHA256 of the exact body in X-Ananta-Signature when a secret is given, with a
 * hard timeout, no redirects followed (Node's http client never follows them), and at connect time the
 * resolved address is checked again (request-filtering-agent), which defeats DNS rebinding between creation
 * and delivery.
 */
@Injectable()
export class CallbackSenderService {
  private readonly timeoutMs: number;
  private readonly httpAgent: RequestFilteringHttpAgent;
  private readonly httpsAgent: RequestFilteringHttpsAgent;

  constructor(config: AppConfig) {
    this.timeoutMs = config.callbacks.timeoutSeconds * 1000;
    const filter = {
      allowPrivateIPAddress: config.callbacks.allowPrivateNetworks,
      allowMetaIPAddress: config.callbacks.allowPrivateNetworks,
      keepAlive: false,
    };
    this.httpAgent = new RequestFilteringHttpAgent(filter);
    this.httpsAgent = new RequestFilteringHttpsAgent(filter);
  }

  send(url: string, body: string, secret?: string): Promise<SendResult> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: SendResult): void => {
        if (!settled) {
          settled = true;
          resolve(result);
        }
      };
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      const request = (secure ? httpsRequest : httpRequest)(target, {
        method: 'POST',
        agent: secure ? this.httpsAgent : this.httpAgent,
        timeout: this.timeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'ananta-hub-callbacks',
          ...(secret === undefined ? {} : { [SIGNATURE_HEADER]: signatureOf(body, secret) }),
        },
      });
      const timer = setTimeout(
        () => request.destroy(new Error(`timed out after ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      request.on('response', (response) => {
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES) {
            response.destroy();
          }
        });
        response.on('close', () => {
          clearTimeout(timer);
          finish({ statusCode: response.statusCode ?? null, error: null });
        });
      });
      request.on('timeout', () => request.destroy(new Error(`timed out after ${this.timeoutMs} ms`)));
      request.on('error', (error) => {
        clearTimeout(timer);
        finish({ statusCode: null, error: error.message });
      });
      request.end(body);
    });
  }
}
