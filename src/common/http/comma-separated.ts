/** `@Transform` for a query parameter that lists values separated by commas (`?status=todo,blocked`). */
export const commaSeparated = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.split(',').map((part) => part.trim()) : value;
