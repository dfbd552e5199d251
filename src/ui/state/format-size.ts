/** File sizes on screen. A kilobyte here is 1024 bytes and a megabyte 1024 × 1024, as most apps show them. */

const oneDecimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

/** Formats a byte count as bytes, KB or MB. */
export function formatFileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${oneDecimal.format(bytes / 1024)} KB`;

  return `${oneDecimal.format(bytes / (1024 * 1024))} MB`;
}
