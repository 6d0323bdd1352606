/**
 * Ends the CLI with an exit code once everything written to stdout and stderr is out.
 * `process.exit` right after a large write drops what is still queued when stdout is a
 * socket (a parent process reading `--output json`), so a 1,000-image scan report arrived
 * cut short. Writing an empty chunk and waiting for its callback waits for every write
 * queued before it.
 */
export async function exitWhenFlushed(code: number): Promise<never> {
  const flushed = (stream: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => {
      if (stream.destroyed || !stream.writable) return resolve();
      stream.write('', () => resolve());
    });
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}
