import type { RedialRules } from '../../core/redial.js';
import { namedEntityRepo } from './namedEntities.js';

export const redialRuleSets = namedEntityRepo<{ rules: RedialRules }>({
  table: 'redial_rule_sets',
  columns: { rules: { column: 'rules', json: true } },
});

export const callerIdGroups = namedEntityRepo<{ numbers: string[]; strategy: 'round_robin' | 'random' }>({
  table: 'caller_id_groups',
  columns: { numbers: { column: 'numbers', json: true }, strategy: { column: 'strategy' } },
});

export const dialPlans = namedEntityRepo<{ trunk: string; rules: { prefix: string; stripDigits: number; addPrefix: string }[] }>({
  table: 'dial_plans',
  columns: { trunk: { column: 'trunk' }, rules: { column: 'rules', json: true } },
});

export const transferDirections = namedEntityRepo<{
  numbers: string[];
  strategy: 'sequential' | 'simultaneous';
  ringTimeoutSec: number;
}>({
  table: 'transfer_directions',
  columns: {
    numbers: { column: 'numbers', json: true },
    strategy: { column: 'strategy' },
    ringTimeoutSec: { column: 'ring_timeout_sec' },
  },
});
