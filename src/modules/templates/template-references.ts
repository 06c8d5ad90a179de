import type { ClearedReferences, TemplateTransaction } from './templates.repository.js';

/**
 * Another module's rows that point at templates (the teams module's role defaults, type–role links and
 * member overrides). That module clears them itself, in the transaction that deletes the template, so the
 * templates module never writes tables it does not own and still reports exactly what was cleared.
 */
export interface TemplateReferenceHolder {
  clearTemplate(templateId: string, transaction: TemplateTransaction): Promise<Partial<ClearedReferences>>;
}
