/**
 * Stands in for `@vue/devtools-api` in the production build. vue-router imports it unconditionally
 * and only calls it when devtools are on (never in production), but the module's top-level code
 * keeps all of `@vue/devtools-kit` (~15 KB compressed) in the first screen's JavaScript.
 */
export function setupDevtoolsPlugin(): void {
  // Devtools are off in production: nothing to register.
}
