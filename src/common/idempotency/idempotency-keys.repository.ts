import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** A key stays for 24 hours from its first use; after that the same key is a new request. */
export const KEY_LIFETIME_SECONDS = 24 * 60 * 60;
/**
 * An attempt still unfinished after this long has died with its instance: the handlers behind idempotent
 * routes make a few queries of at most 30 s each (the pool's query_timeout), so a live one is long done.
 */
export const STALE_ATTEMPT_SECONDS = 120;

/** Which key: the caller's scope, the route and the key the caller sent. */
export interface IdempotencyKeyRef {
  scope: string;
  route: string;
  key: string;
}

export type StoredKey =
  | { fingerprint: string; completed: false }
  | { fingerprint: string; completed: true; statusCode: number; responseSealed: string };

interface StoredRow {
  fingerprint: string;
  status_code: number | null;
  response_sealed: string | null;
}

/** The idempotency records in PostgreSQL, so a key holds across every hub instance. */
@Injectable()
export class IdempotencyKeysRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Makes `attempt` the owner of the key, in one statement: true when the key is new, or its row has expired,
   * or it is an attempt at the same request that went stale. False when a live row is there: read it.
   */
  async claim({ scope, route, key }: IdempotencyKeyRef, fingerprint: string, attempt: string): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      `INSERT INTO idempotency_keys (scope, route, key, fingerprint, attempt) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (scope, route, key) DO UPDATE SET
         fingerprint = EXCLUDED.fingerprint, attempt = EXCLUDED.attempt, status_code = NULL,
         response_sealed = NULL, completed_at = NULL, started_at = now(),
         created_at = CASE WHEN idempotency_keys.created_at <= now() - make_interval(secs => $6) THEN now()
                           ELSE idempotency_keys.created_at END
       WHERE idempotency_keys.created_at <= now() - make_interval(secs => $6)
          OR (idempotency_keys.completed_at IS NULL AND idempotency_keys.fingerprint = EXCLUDED.fingerprint
              AND idempotency_keys.started_at <= now() - make_interval(secs => $7))
       RETURNING attempt`,
      [scope, route, key, fingerprint, attempt, KEY_LIFETIME_SECONDS, STALE_ATTEMPT_SECONDS],
    );
    return rows.length === 1;
  }

  /** The key's live row, if any (a row past its lifetime counts as absent). */
  async find({ scope, route, key }: IdempotencyKeyRef): Promise<StoredKey | undefined> {
    const [row] = await this.dataSource.query<StoredRow[]>(
      `SELECT fingerprint, status_code, response_sealed FROM idempotency_keys
       WHERE scope = $1 AND route = $2 AND key = $3 AND created_at > now() - make_interval(secs => $4)`,
      [scope, route, key, KEY_LIFETIME_SECONDS],
    );
    if (!row) {
      return undefined;
    }
    return row.status_code === null || row.response_sealed === null
      ? { fingerprint: row.fingerprint, completed: false }
      : {
          fingerprint: row.fingerprint,
          completed: true,
          statusCode: row.status_code,
          responseSealed: row.response_sealed,
        };
  }

  /** Stores the answer, if `attempt` still owns the key. */
  async complete(
    { scope, route, key }: IdempotencyKeyRef,
    attempt: string,
    statusCode: number,
    responseSealed: string,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE idempotency_keys SET status_code = $5, response_sealed = $6, completed_at = now()
       WHERE scope = $1 AND route = $2 AND key = $3 AND attempt = $4`,
      [scope, route, key, attempt, statusCode, responseSealed],
    );
  }

  /** Forgets an attempt that failed, so the key can be tried again. */
  async release({ scope, route, key }: IdempotencyKeyRef, attempt: string): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM idempotency_keys
       WHERE scope = $1 AND route = $2 AND key = $3 AND attempt = $4 AND completed_at IS NULL`,
      [scope, route, key, attempt],
    );
  }

  /** Housekeeping: keys past their lifetime. */
  async deleteExpired(): Promise<number> {
    const [, count] = await this.dataSource.query<[unknown[], number]>(
      'DELETE FROM idempotency_keys WHERE created_at <= now() - make_interval(secs => $1)',
      [KEY_LIFETIME_SECONDS],
    );
    return count;
  }
}
