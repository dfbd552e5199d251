/**
 * Writes protocol-v1.json beside this file. Run it only when the protocol changes on purpose,
 * review the diff, and commit the new file with the change:
 *
 *   npx tsx test/core/vectors/generate.ts
 */

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { computeVectors } from './compute-vectors.ts';

const target = fileURLToPath(new URL('./protocol-v1.json', import.meta.url));

writeFileSync(target, `${JSON.stringify(computeVectors(), null, 2)}\n`);
console.log(`wrote ${target}`);
