import { describeHotSkuRush } from './test-support.js';

/** One hot SKU, three instances, many more buyers than units. */
describeHotSkuRush([
  { strategy: 'db', batching: true },
  { strategy: 'zk', batching: true },
]);
