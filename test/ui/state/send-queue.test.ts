import { describe, expect, it } from 'vitest';
import { SendQueue } from '../../../src/ui/state/send-queue.ts';

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('SendQueue', () => {
  it('keeps a quick send behind a slow one', async () => {
    const queue = new SendQueue();
    const order: string[] = [];

    const file = queue.run(async () => {
      await delay(30);
      order.push('file');
    });
    const text = queue.run(async () => {
      order.push('text');
    });
    await Promise.all([file, text]);

    expect(order).toEqual(['file', 'text']);
  });

  it('runs the next send after a failed one', async () => {
    const queue = new SendQueue();
    const order: string[] = [];

    const failing = queue.run(async () => {
      await delay(10);
      throw new Error('storage is full');
    });
    const text = queue.run(async () => {
      order.push('text');
    });

    await expect(failing).rejects.toThrow('storage is full');
    await text;
    expect(order).toEqual(['text']);
  });
});
