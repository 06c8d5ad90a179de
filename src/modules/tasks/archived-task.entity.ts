import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { PRIORITY_CHECK, STATUS_CHECK, TaskColumns } from './task-columns.entity.js';

/** Archived tasks: the same columns without foreign keys (what they pointed at may be gone), plus `archivedAt`. */
@Entity({ name: 'archived_tasks' })
@Check('archived_tasks_status_check', STATUS_CHECK)
@Check('archived_tasks_priority_check', PRIORITY_CHECK)
@Index('archived_tasks_archived_at_idx', ['archivedAt'])
export class ArchivedTaskEntity extends TaskColumns {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'archived_tasks_pkey' })
  id!: string;

  @Column({ name: 'archived_at', type: 'timestamptz', default: () => 'now()' })
  archivedAt!: Date;
}
