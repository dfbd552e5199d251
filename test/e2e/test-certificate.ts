/**
 * A throwaway self-signed certificate for 127.0.0.1 and localhost, made with openssl, and the
 * SPKI hash by which Chromium's `--ignore-certificate-errors-spki-list` trusts it. Only that one
 * key is trusted, so the browser still rejects any other certificate.
 */

import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestCertificate {
  cert: Buffer;
  key: Buffer;
  /** Base64 SHA-256 of the certificate's SubjectPublicKeyInfo. */
  spkiHash: string;
}

/** Creates the certificate synchronously, so a spec can put the hash into its launch options. */
export function createTestCertificate(): TestCertificate {
  const folder = mkdtempSync(path.join(tmpdir(), 'meshtext-e2e-tls-'));
  const certPath = path.join(folder, 'cert.pem');
  const keyPath = path.join(folder, 'key.pem');

  try {
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-subj', '/CN=localhost', '-days', '2',
        '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout', keyPath, '-out', certPath,
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(certPath);
    const spki = createPublicKey(cert).export({ type: 'spki', format: 'der' });

    return { cert, key: readFileSync(keyPath), spkiHash: createHash('sha256').update(spki).digest('base64') };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
