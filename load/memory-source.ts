/** A tick source for in-process benches: the app hands it its record handler, the bench calls it with chunks (as the Kafka batch loop would). */
import type { RecordHandler, TickSource } from '../src/pipeline/ports.ts';

export class MemorySource implements TickSource {
  handle: RecordHandler | null = null;
  async start(handle: RecordHandler): Promise<void> {
    this.handle = handle;
  }
  pause(): void {}
  resume(): void {}
  async stop(): Promise<void> {}
  hasJoined(): boolean {
    return this.handle !== null;
  }
}
