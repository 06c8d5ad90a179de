import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { DatabaseConnection } from './database-connection.js';

/** A statement with a name that stands for exactly this text on every connection of the pool. */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

/**
 * Runs hot statements as named prepared statements: PostgreSQL parses and plans each one once per pooled
 * connection instead of on every call. For the claim (three CTEs, correlated subqueries) planning cost more
 * than executing (bench/README.md). Off on the embedded database, whose one session outlives the pool's
 * connections (a reconnecting client would prepare a name the session already holds), and when
 * DB_PREPARED_STATEMENTS=false (connection poolers that do not carry prepared statements across
 * transactions); the statement then runs unnamed, exactly as TypeORM would run it.
 */
@Injectable()
export class PreparedStatementsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(DatabaseConnection) private readonly connection: DatabaseConnection,
  ) {}

  async query<T>(statement: PreparedStatement, params: unknown[]): Promise<T[]> {
    if (!this.connection.preparedStatements) {
      return this.dataSource.query<T[]>(statement.text, params);
    }
    // The query runner is TypeORM's way to borrow a pooled connection; pg itself remembers which names
    // each connection has prepared.
    const runner = this.dataSource.createQueryRunner();
    try {
      const client = (await runner.connect()) as PoolClient;
      const result = await client.query<T & object>({ name: statement.name, text: statement.text, values: params });
      return result.rows;
    } finally {
      await runner.release();
    }
  }
}
