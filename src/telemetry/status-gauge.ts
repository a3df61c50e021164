/**
 * A gauge read from a component's status at each scrape, absent from the scrape while there is no
 * value (prom-client writes an unlabelled gauge that was never set as 0: "last snapshot at 1970"
 * would make TickcastSnapshotStale fire after every start and dashboards show 56 years). The
 * mechanism only: the metrics' names live with all the others in ./metrics/ (snapshot.ts).
 */
import { Gauge, type Registry } from 'prom-client';

export class StatusGauge<S> extends Gauge {
  constructor(registers: Registry[], read: () => S | null, name: string, help: string, value: (s: S) => number | null) {
    let current: number | null = null;
    super({
      name,
      help,
      registers,
      collect() {
        const s = read();
        current = s && value(s);
        if (current !== null) this.set(current);
      },
    });
    this.present = () => current !== null;
  }

  readonly present: () => boolean;

  override async get(): ReturnType<Gauge['get']> {
    const m = await super.get();
    return this.present() ? m : { ...m, values: [] };
  }
}
