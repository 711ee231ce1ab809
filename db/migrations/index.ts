import { InitialSchema1764100000000 } from './1764100000000-initial-schema.js';
import { HotPathIndexes1764200000000 } from './1764200000000-hot-path-indexes.js';
import { Notifications1764300000000 } from './1764300000000-notifications.js';

/** Every migration, in order. Add new ones at the end; never edit an applied one. */
export const MIGRATIONS = [InitialSchema1764100000000, HotPathIndexes1764200000000, Notifications1764300000000];
