import { z } from 'zod';
import { VARIABLE_NAME } from './variables.js';

/**
 * A scenario is a graph of elements (JSON, versioned on every save). Each node has a stable id, an
 * element type, the element's settings, and its named exits pointing at other nodes.
 */
export const nodeIdSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, { message: 'validation.node_id' });

export const scenarioNodeSchema = z
  .object({
    id: nodeIdSchema,
    type: z.string().min(1).max(40),
    /** Human title shown in the editor and the step log. */
    title: z.string().trim().max(120).optional(),
    settings: z.record(z.string(), z.unknown()).default({}),
    exits: z.record(z.string(), nodeIdSchema).default({}),
    /** Editor layout only. */
    position: z.object({ x: z.number(), y: z.number() }).strict().optional(),
  })
  .strict();

export const scenarioVariableSchema = z
  .object({
    name: z.string().regex(VARIABLE_NAME, { message: 'validation.variable_name' }),
    /** Column description in the clients-file template. */
    description: z.string().trim().max(200).default(''),
    required: z.boolean().default(false),
    example: z.string().max(200).default(''),
  })
  .strict();

export const scenarioGraphSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    description: z.string().trim().max(1000).default(''),
    /** Language of the bot's speech and recognition. */
    language: z.enum(['ru', 'en']).default('ru'),
    variables: z.array(scenarioVariableSchema).max(100).default([]),
    nodes: z.array(scenarioNodeSchema).min(1).max(500),
  })
  .strict();

export type ScenarioNode = z.output<typeof scenarioNodeSchema>;
export type ScenarioVariable = z.output<typeof scenarioVariableSchema>;
export type ScenarioGraph = z.output<typeof scenarioGraphSchema>;
export type ScenarioGraphInput = z.input<typeof scenarioGraphSchema>;
