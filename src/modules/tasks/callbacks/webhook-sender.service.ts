import { Injectable } from '@nestjs/common';
import { CallbackSenderService, type SendResult } from './callback-sender.service.js';
import { CallbackUrlPolicy } from './callback-url.policy.js';

/**
 * Outbound webhooks for extension modules, through the same SSRF guard as task callbacks: the URL must pass
 * the callback URL policy (http or https, no credentials, public addresses only unless
 * CALLBACK_ALLOW_PRIVATE_NETWORKS=true) before any connection is made, and the sender checks the address
 * again at connect time.
 */
@Injectable()
export class WebhookSenderService {
  constructor(
    private readonly policy: CallbackUrlPolicy,
    private readonly sender: CallbackSenderService,
  ) {}

  /** Why the URL would be refused, or undefined when it is acceptable (for checking it ahead of time). */
  refusal(url: string): Promise<string | undefined> {
    return this.policy.refusal(url);
  }

  /**
   * POSTs `payload` as JSON, signed like task callbacks (`X-Ananta-Signature: sha256=<HMAC>`) when a secret is
   * given. Never throws for delivery problems: a refused URL, a network error or a timeout come back in
   * `error`, with `statusCode` null.
   */
  async postJson(url: string, payload: unknown, secret?: string): Promise<SendResult> {
    const refusal = await this.policy.refusal(url);
    if (refusal) {
      return { statusCode: null, error: `The URL ${refusal}` };
    }
    return this.sender.send(url, JSON.stringify(payload), secret);
  }
}
