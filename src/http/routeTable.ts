import type Router from '@koa/router';
import type { DozvonState } from './state.js';

/**
 * Every route the server answers, read from the mounted routers' own layers (prefixes included):
 * what operators see in one list, and what the robustness tests drive — a router added later is
 * covered without anyone listing it again.
 */
export interface MountedRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** As registered, e.g. `/api/v1/campaigns/:id/numbers/import`. */
  path: string;
}

const METHODS = new Set<MountedRoute['method']>(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

export function mountedRoutes(routers: readonly Router<DozvonState>[]): MountedRoute[] {
  const out: MountedRoute[] = [];
  const seen = new Set<string>();
  for (const router of routers) {
    for (const layer of router.stack) {
      if (typeof layer.path !== 'string') continue;
      for (const m of layer.methods) {
        const method = m as MountedRoute['method'];
        // HEAD is answered by the GET layer; middleware-only layers have no methods at all.
        if (!METHODS.has(method)) continue;
        const key = `${method} ${layer.path}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ method, path: layer.path });
      }
    }
  }
  return out;
}
