import { automationMethods } from './automation.js';
import { batchMethods } from './batch.js';
import { bizprocMethods } from './bizproc.js';
import { crmEntityMethods } from './crmEntities.js';
import { crmItemMethods } from './crmItem.js';
import { crmMetaMethods } from './crmMeta.js';
import type { MethodTable } from './registry.js';
import { systemMethods } from './system.js';
import { telephonyMethods } from './telephony.js';
import { timelineMethods } from './timeline.js';

/** Every REST method the emulator serves, keyed by lower-cased name. */
export const METHODS: MethodTable = Object.fromEntries(
  Object.entries({
    ...systemMethods,
    ...batchMethods,
    ...bizprocMethods,
    ...crmEntityMethods,
    ...crmItemMethods,
    ...crmMetaMethods,
    ...automationMethods,
    ...timelineMethods,
    ...telephonyMethods,
  }).map(([name, def]) => [name.toLowerCase(), def]),
);
