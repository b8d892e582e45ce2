// `npm run temporal`: the Temporal dev server (SQLite in .data/, Web UI) in the foreground; Ctrl-C stops it.
import { say } from './stack/console-prefix';
import { localStack, stackPorts } from './stack/paths';
import { Supervisor } from './stack/supervisor';
import { ensureTemporal } from './stack/temporal';

const supervisor = new Supervisor('temporal');
await supervisor.run(async () => {
  const temporal = await ensureTemporal({
    port: stackPorts.temporal,
    uiPort: stackPorts.temporalUi,
    dbFile: localStack.temporalDbFile,
    pidFile: localStack.temporalPidFile,
  });
  if (temporal.reused) {
    say('temporal', `already running (pid ${temporal.pid}) at ${temporal.address}, UI ${temporal.uiUrl}`);
    process.exit(0);
  }
  supervisor.add(temporal);
  say('temporal', `ready at ${temporal.address}, UI ${temporal.uiUrl}. Ctrl-C stops it.`);
});
