// Empty: lets lib/ modules marked server-only load under Vitest and the CLI.
export {};
