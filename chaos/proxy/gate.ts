/**
 * A gate data waits at while a connection is partitioned. `wait()` resolves at once when open.
 */
export class Gate {
  private waiters: (() => void)[] = [];
  private closed = false;

  get isOpen(): boolean {
    return !this.closed;
  }

  close(): void {
    this.closed = true;
  }

  /** Opens the gate and releases every waiter (also used to unblock waiters at teardown). */
  open(): void {
    this.closed = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const release of waiters) release();
  }

  wait(): Promise<void> {
    if (!this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
