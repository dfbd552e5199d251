/**
 * Runs the benchmarks and prints one table of their metrics. Run it through `npm run bench`,
 * which isolates the browser traffic in a network namespace when it can.
 *
 * Usage: tsx test/bench/run.ts [--out FILE] [--only TEXT]
 *   --out FILE   also write {"metrics": [...]} as JSON to FILE
 *   --only TEXT  run only the benchmarks whose name contains TEXT
 *
 * Timings never fail the run. The exit code is 1 only when a benchmark could not run at all.
 */

import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { broadcastQueue } from './broadcast.ts';
import { bundleSize } from './bundle-size.ts';
import { churnSimulation } from './churn-simulation.ts';
import { cryptoPrimitives } from './crypto.ts';
import { fileTransfer } from './file-transfer.ts';
import { groupsBench } from './groups.bench.ts';
import { historyBench } from './history.bench.ts';
import { meshtextTransport } from './meshtext-transport.ts';
import type { Benchmark, Metric } from './metric.ts';
import { offlineStart } from './offline-start.ts';
import { outboxFlush } from './outbox-flush.ts';
import { rawPeerjsTransport } from './raw-peerjs-transport.ts';
import { relayBench } from './relay.bench.ts';

const benchmarks: Benchmark[] = [
  bundleSize,
  cryptoPrimitives,
  groupsBench,
  rawPeerjsTransport,
  meshtextTransport,
  outboxFlush,
  churnSimulation,
  relayBench,
  offlineStart,
  broadcastQueue,
  fileTransfer,
  historyBench,
];

function formatTable(metrics: Metric[]): string {
  const header = ['name', 'value', 'unit', 'baseline', 'goal'];
  const rows = metrics.map((metric) => [
    metric.name,
    metric.value === null ? '-' : String(metric.value),
    metric.unit,
    metric.baseline === null ? '-' : String(metric.baseline),
    metric.goal ?? '-',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const formatRow = (row: string[]): string => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');

  return [formatRow(header), formatRow(widths.map((width) => '-'.repeat(width))), ...rows.map(formatRow)].join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, only: { type: 'string' } },
  });
  const selected = benchmarks.filter((benchmark) => values.only === undefined || benchmark.name.includes(values.only));
  const metrics: Metric[] = [];
  const failed: string[] = [];

  if (selected.length === 0) {
    console.error(`no benchmark name contains "${values.only}"; names: ${benchmarks.map((b) => b.name).join(', ')}`);
    return 2;
  }

  for (const benchmark of selected) {
    const startedAt = performance.now();
    console.log(`bench: running ${benchmark.name}`);
    try {
      metrics.push(...(await benchmark.run()));
      console.log(`bench: ${benchmark.name} took ${Math.round(performance.now() - startedAt)} ms`);
    } catch (error) {
      failed.push(benchmark.name);
      console.error(`bench: ${benchmark.name} failed:`, error);
    }
  }

  console.log(`\n${formatTable(metrics)}\n`);
  if (values.out !== undefined) {
    await writeFile(values.out, `${JSON.stringify({ metrics }, null, 2)}\n`);
    console.log(`bench: wrote ${values.out}`);
  }
  if (failed.length > 0) console.error(`bench: could not run: ${failed.join(', ')}`);

  return failed.length > 0 ? 1 : 0;
}

// NOTE: the peer package (1.0.2) keeps interval timers alive after its server closes, so the
// process is ended explicitly instead of waiting for the event loop to drain.
process.exit(await main());
