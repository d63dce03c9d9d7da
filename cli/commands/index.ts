import type { CommandModule } from '../command.js';
import demo from './demo.js';
import doctor from './doctor.js';
import down from './down.js';
import { pendingCommand } from './pending.js';
import status from './status.js';
import up from './up.js';

/** Every command of the CLI contract, in the order `ecom --help` lists them. */
export const COMMANDS: CommandModule[] = [
  doctor,
  up,
  status,
  down,
  pendingCommand(
    'seed',
    'create SKUs, warehouses, stock and users',
    3,
    'ecom seed [--skus N] [--warehouses N] [--stock N] [--users N]',
  ),
  pendingCommand(
    'simulate',
    'replay a traffic scenario as load',
    6,
    'ecom simulate --scenario NAME|FILE [--rate R] [--duration D] [--threshold EXPR]... [--report FILE] [--html FILE] [--json] [--no-tui]',
  ),
  pendingCommand(
    'chaos',
    'run a scenario under a fault schedule, then check every invariant',
    7,
    'ecom chaos --fault SPEC [--fault SPEC]... [--scenario NAME|FILE] [--duration D] [--json]',
  ),
  pendingCommand('verify', 'check every invariant against the stores', 7, 'ecom verify [--json]'),
  pendingCommand('bench', 'measure throughput against raw ceilings', 9, 'ecom bench [--json]'),
  pendingCommand('dashboard', 'live terminal dashboard', 10, 'ecom dashboard'),
  pendingCommand('export', 'export a scenario for k6', 6, 'ecom export k6 --scenario NAME|FILE'),
  demo,
  pendingCommand('images', 'build local images for the containers runtime', 8, 'ecom images build'),
];
