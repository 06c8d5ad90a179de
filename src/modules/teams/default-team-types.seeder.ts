import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DEFAULT_TEAM_TYPES } from './default-team-types.js';

// Serialises seeding across instances that start together.
const SEED_LOCK_KEY = 7_316_427_301;

/**
 * Seeds Scrum and Kanban, their roles and prompt templates at every start, idempotently: existing rows (by
 * name) are kept as they are, missing ones are added, and a role's default template is set only while empty.
 * Runs in one transaction under an advisory lock, so concurrent starts seed once.
 */
@Injectable()
export class DefaultTeamTypesSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('Seed');

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    const added = await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK_KEY]);
      let inserted = 0;
      const upsertId = async (sql: string, params: unknown[]): Promise<string> => {
        const rows = await manager.query<Array<{ id: string; inserted: boolean }>>(sql, params);
        inserted += rows[0].inserted ? 1 : 0;
        return rows[0].id;
      };
      for (const type of DEFAULT_TEAM_TYPES) {
        const typeId = await upsertId(
          `INSERT INTO team_types (name, description) VALUES ($1, $2)
           ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id, (xmax = 0) AS inserted`,
          [type.name, type.description],
        );
        for (const { role, template, prompt } of type.roles) {
          const templateId = await upsertId(
            `INSERT INTO templates (name, prompt_template) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id, (xmax = 0) AS inserted`,
            [template, prompt],
          );
          const roleId = await upsertId(
            `INSERT INTO roles (name, default_template_id) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET default_template_id = COALESCE(roles.default_template_id, EXCLUDED.default_template_id)
             RETURNING id, (xmax = 0) AS inserted`,
            [role, templateId],
          );
          await manager.query(
            `INSERT INTO team_type_role_links (team_type_id, role_id, template_id) VALUES ($1, $2, $3)
             ON CONFLICT (team_type_id, role_id) DO NOTHING`,
            [typeId, roleId, templateId],
          );
        }
      }
      return inserted;
    });
    if (added > 0) {
      this.logger.log(`Seeded ${added} default team types, roles and templates`);
    }
  }
}
