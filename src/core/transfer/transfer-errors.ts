/** Named errors of chunked transfer: payloads too large to send and files over the size cap. */

/** A payload is larger than one link may carry; raised before anything is encoded or sent. */
export class PayloadTooLargeError extends RangeError {
  override name = 'PayloadTooLargeError';
}

/** A file is larger than the cap for attachments; raised before the file is read or stored. */
export class FileTooLargeError extends RangeError {
  override name = 'FileTooLargeError';
  readonly sizeBytes: number;
  readonly maxBytes: number;

  constructor(sizeBytes: number, maxBytes: number) {
    super(`file of ${sizeBytes} bytes exceeds the maximum of ${maxBytes} bytes`);
    this.sizeBytes = sizeBytes;
    this.maxBytes = maxBytes;
  }
}
