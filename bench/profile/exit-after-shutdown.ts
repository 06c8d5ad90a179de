/**
 * Preloaded (`--import`) into the hub when it is profiled. Nest's shutdown hook closes the application on
 * SIGTERM and then re-sends the signal to the process, which kills it before `--cpu-prof` writes the
 * profile. With this listener in place the re-sent signal ends the process with a normal exit instead.
 */
let signals = 0;
process.on('SIGTERM', () => {
  signals += 1;
  if (signals > 1) {
    process.exit(0);
  }
});
