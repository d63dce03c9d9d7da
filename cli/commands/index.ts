import type { CommandModule } from '../command.js';
import bench from './bench.js';
import chaos from './chaos.js';
import dashboard from './dashboard.js';
import demo from './demo.js';
import doctor from './doctor.js';
import down from './down.js';
import exportCommand from './export.js';
import images from './images.js';
import status from './status.js';
import seed from './seed.js';
import simulate from './simulate.js';
import up from './up.js';
import verify from './verify.js';

/** Every command of the CLI contract, in the order `ecom --help` lists them. */
export const COMMANDS: CommandModule[] = [
  doctor,
  up,
  status,
  down,
  seed,
  simulate,
  chaos,
  verify,
  bench,
  dashboard,
  exportCommand,
  demo,
  images,
];
