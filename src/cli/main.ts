/**
 * @file The CLI's entry point (bin/run.js): oclif's execute, from the same bundle as the commands.
 */
export { execute } from '@oclif/core/execute';
