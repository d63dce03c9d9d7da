import { createLogger } from '../../platform/logger.js';
import { runtimeFor } from '../runtimes.js';
import { StackOptions, type StackOptionsInput } from '../types.js';
import { Supervisor, type SupervisorMessage } from './supervisor.js';

/**
 * Entry point of the stack supervisor: a detached process (the leader of its own process group)
 * started by `startStack`. It receives its options as the first IPC message, reports progress
 * over IPC, and stops the stack when asked (control API, SIGTERM) or — unless the stack is
 * persistent — when the process that started it goes away (the IPC channel closes).
 */
const logger = createLogger({ component: 'supervisor', destination: 1 });

process.once('message', (msg: { type: 'start'; options: StackOptionsInput }) => {
  const options = StackOptions.parse(msg.options);
  const send = (m: SupervisorMessage) => {
    if (process.connected) process.send?.(m);
  };
  const supervisor = new Supervisor(options, runtimeFor(options.runtime, options), logger, send, (code) => {
    logger.flush();
    process.exit(code);
  });
  process.on('disconnect', () => {
    if (!options.persistent) {
      logger.info('starter went away: stopping the stack');
      supervisor.shutdown();
    }
  });
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => supervisor.shutdown());
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'supervisor crashed: stopping the stack');
    supervisor.shutdown();
  });
  void supervisor.start();
});
