// Stand-in for k6's 'k6/metrics': custom metrics record what was added.
class Metric {
  constructor(name) {
    this.name = name;
    this.values = [];
    globalThis.__k6.metrics[name] = this.values;
  }
  add(v) {
    this.values.push(Number(v));
  }
}
export class Counter extends Metric {}
export class Rate extends Metric {}
export class Trend extends Metric {}
export class Gauge extends Metric {}
