import { InitialSchema1764100000000 } from './1764100000000-initial-schema';
import { HotPathIndexes1764200000000 } from './1764200000000-hot-path-indexes';
import { IdempotencyKeys1764300000000 } from './1764300000000-idempotency-keys';
import { Notifications1764400000000 } from './1764400000000-notifications';

/** Every migration, in order. Add new ones at the end; never edit an applied one. */
export const MIGRATIONS = [
  InitialSchema1764100000000,
  HotPathIndexes1764200000000,
  IdempotencyKeys1764300000000,
  Notifications1764400000000,
];
