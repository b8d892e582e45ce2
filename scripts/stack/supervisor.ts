import { say } from './console-prefix';
import type { Service } from './service-process';

/**
 * Owns the services a runner brought up. Ctrl-C or SIGTERM stops them newest tier first (the
 * apps before the servers they use), and so does any of them dying on its own, with exit code 1.
 * Reused services are in the list too; their stop() leaves them running.
 */
export class Supervisor {
  private readonly tiers: Service[][] = [];
  private stopping = false;

  constructor(private readonly name: string) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        if (this.stopping) {
          // A second Ctrl-C: leave now; the children still get their stop signal on exit.
          process.exit(130);
        }
        say(this.name, `${signal}: stopping`);
        void this.shutdown(0);
      });
    }
  }

  /** Adds services started together; they are stopped together, before every earlier tier. */
  add(...services: Service[]): void {
    this.tiers.push(services);
    for (const service of services) {
      void service.exited?.then((code) => {
        if (this.stopping) return;
        say(this.name, `${service.name} exited on its own (code ${code}); stopping the rest`);
        void this.shutdown(1);
      });
    }
  }

  async shutdown(code: number): Promise<never> {
    this.stopping = true;
    for (const tier of [...this.tiers].reverse()) await Promise.allSettled(tier.map((service) => service.stop()));
    process.exit(code);
  }

  /** Runs the runner's body; a failure is printed as one clear message and stops what was started. */
  async run(body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (error) {
      if (this.stopping) return;
      say(this.name, `error: ${error instanceof Error ? error.message : String(error)}`);
      await this.shutdown(1);
    }
  }
}
