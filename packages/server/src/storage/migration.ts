/** One step of a store's schema history: applied once, in version order, recorded in `schema_migrations`. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The migrations of `migrations` not in `applied`, in order; refuses a database newer than the code. */
export function pendingMigrations<M extends Pick<Migration, "version">>(
  migrations: readonly M[],
  applied: ReadonlySet<number>,
): M[] {
  const newest = Math.max(0, ...applied);
  const known = Math.max(0, ...migrations.map((migration) => migration.version));
  if (newest > known) {
    throw new Error(
      `database schema version ${newest} is newer than this server supports (${known})`,
    );
  }
  return [...migrations]
    .sort((a, b) => a.version - b.version)
    .filter((migration) => !applied.has(migration.version));
}
