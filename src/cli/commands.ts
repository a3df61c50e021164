/**
 * The subcommand registry. To add a command, write src/cli/<name>.ts exporting
 * `run(argv, io): Promise<number>` (see CliCommand in ./io.ts) and add ONE line below.
 * Modules load lazily, so `tickcast detect` never pays for loading tfjs.
 */
import type { CliCommand } from './io.ts';

export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<CliCommand>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'train', summary: 'train a forecasting model from a CSV file and save the artifact', load: () => import('./train.ts') },
  { name: 'detect', summary: 'score a NAB-format CSV (timestamp,value) through the service pipeline; writes NAB results', load: () => import('./detect.ts') },
  { name: 'backtest', summary: 'rolling-origin evaluation of a saved model on a CSV file (MSE, MAE, RMSE, MASE, coverage, plot)', load: () => import('./backtest.ts') },
  { name: 'version', summary: 'print the tickcast and Node.js versions and the model engine/backend settings (also --version, -V)', load: () => import('./version.ts') },
];
