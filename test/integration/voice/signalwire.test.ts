import { describe } from 'vitest';
import { twilioFamilyHarness } from './harness.js';
import { platformSuite } from './platformSuite.js';

describe('voice platform: signalwire', () => platformSuite(() => twilioFamilyHarness('signalwire', 0.01)));
