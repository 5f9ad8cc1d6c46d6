import { describe } from 'vitest';
import { sandboxHarness } from './harness.js';
import { platformSuite } from './platformSuite.js';

describe('voice platform: sandbox', () => platformSuite(() => sandboxHarness()));
