export { apiClient, freePort, setupAdmin, startDozvonProcess, tempDir, type DozvonProcess } from '../../test/support/dozvonProcess.js';

/** Prints one figure per line: `name value unit`. */
export function print(name: string, value: number, unit: string): void {
  process.stdout.write(`${name} ${Number.isInteger(value) ? value : value.toFixed(value < 10 ? 3 : 1)} ${unit}\n`);
}
