/** Test helpers over the contracts: fuzz bodies for the HTTP routes of both apps, and their runner. */
export * from './fuzz-bodies';
export * from './fuzz-runner';
