// Prepared once per test run; see test/support/db.ts for the per-file database.
export default async function setup(): Promise<void> {}
