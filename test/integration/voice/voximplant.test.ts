import { describe } from 'vitest';
import { voximplantHarness } from './harness.js';
import { platformSuite } from './platformSuite.js';

describe('voice platform: voximplant', () => platformSuite(() => voximplantHarness(0.01)));
