// `npm run model`: the offline model server, an OpenAI-compatible stand-in for a real model
// (deterministic and rule-based) on MODEL_PORT. `npm start` runs it when no OPENAI_API_KEY is set.
import { Config } from '../domain/config';
import { OFFLINE_MODEL, startModelServer } from './model-server/server';

const config = Config.pick({ HOST: true, MODEL_PORT: true, MODEL_LATENCY_MS: true, MODEL_TOKEN_DELAY_MS: true, MODEL_CONTROL: true }).parse(process.env);

const server = await startModelServer({
  host: config.HOST,
  port: config.MODEL_PORT,
  latencyMs: config.MODEL_LATENCY_MS,
  tokenDelayMs: config.MODEL_TOKEN_DELAY_MS,
  control: config.MODEL_CONTROL,
});
console.log(`offline model server ready at ${server.url} (model ${OFFLINE_MODEL}${config.MODEL_CONTROL ? ', /_control enabled' : ''})`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('offline model server did not close cleanly:', err);
        process.exit(1);
      },
    );
  });
}
