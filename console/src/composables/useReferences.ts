import { api } from '../api/http';
import type { Greeting, Named, Scenario } from '../api/types';
import { useLoad } from './useLoad';

/** What a template refers to, for its choices: scenarios, dial plans, caller-ID groups, transfer directions, redial sets, greetings. */
export interface References {
  scenarios: Scenario[];
  dialPlans: Named[];
  callerIdGroups: Named[];
  transferDirections: Named[];
  redialSets: Named[];
  greetings: Greeting[];
}

export function useReferences() {
  return useLoad<References>(async (signal) => {
    const [scenarios, dialPlans, callerIdGroups, transferDirections, redialSets, greetings] = await Promise.all([
      api.get<{ scenarios: Scenario[] }>('/scenarios', undefined, signal),
      api.get<{ items: Named[] }>('/dial-plans', undefined, signal),
      api.get<{ items: Named[] }>('/caller-id-groups', undefined, signal),
      api.get<{ items: Named[] }>('/transfer-directions', undefined, signal),
      api.get<{ items: Named[] }>('/redial-rule-sets', undefined, signal),
      api.get<{ greetings: Greeting[] }>('/greetings', undefined, signal),
    ]);
    return {
      scenarios: scenarios.scenarios,
      dialPlans: dialPlans.items,
      callerIdGroups: callerIdGroups.items,
      transferDirections: transferDirections.items,
      redialSets: redialSets.items,
      greetings: greetings.greetings,
    };
  });
}
